package io.chute.processing.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void aCsvSplitsIntoRowsHonouringQuotes() {
        Table table = Table.of(List.of("name,\"note, with comma\"", "quokka,smiles"), true);

        assertThat(table.columns()).isEqualTo(2);
        assertThat(table.rows()).containsExactly(List.of("name", "note, with comma"), List.of("quokka", "smiles"));
    }

    @Test
    void theHeaderDecidesTheDelimiter() {
        assertThat(Table.of(List.of("a\tb\tc", "1\t2\t3"), true).columns()).isEqualTo(3);
        assertThat(Table.of(List.of("a;b", "1;2"), true).columns()).isEqualTo(2);
    }

    @Test
    void aHeadCutInsideAQuotedFieldKeepsTheRowsBeforeIt() {
        Table table = Table.of(List.of("a,b", "1,2", "3,\"unfinished"), true);

        assertThat(table.rows()).startsWith(List.of("a", "b"), List.of("1", "2"));
    }

    @Test
    void isNoTableUnlessNamedOneOrWithASingleColumn() {
        assertThat(Table.of(List.of("a,b", "1,2"), false)).isNull();
        assertThat(Table.of(List.of("just words", "more words"), true)).isNull();
    }
}
