package io.chute.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QueryStringFilterTest {

    @ParameterizedTest
    @ValueSource(
            strings = {"a=b", "sig=abc-_.~", "q=%C3%A9t%C3%A9", "q=caf%c3%a9", "x=%20&y=+", "", "a", "e=%E2%82%AC"})
    void acceptsValidPercentEncodedUtf8(String query) {
        assertThat(QueryStringFilter.validPercentEncoding(query)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sig=%zz", "a=%", "a=%4", "a=%4g", "a=%ff", "a=%C3", "a=%E2%82", "a=%C0%AF", "a=\u00e9"})
    void refusesMalformedEscapesAndBytesThatAreNotUtf8(String query) {
        assertThat(QueryStringFilter.validPercentEncoding(query)).isFalse();
    }
}
