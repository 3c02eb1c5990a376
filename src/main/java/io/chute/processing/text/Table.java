package io.chute.processing.text;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** The first rows of a CSV or TSV file, parsed (quotes, embedded delimiters) for its preview. */
record Table(List<List<String>> rows, int columns) {

    private static final char[] DELIMITERS = {',', ';', '\t'};

    /**
     * The table in {@code lines}, or null when they are not one: a file named {@code .csv} or
     * {@code .tsv} ({@code named}) whose lines split into the same number of columns.
     */
    static Table of(List<String> lines, boolean named) {
        if (!named || lines.isEmpty()) {
            return null;
        }
        char delimiter = delimiter(lines.getFirst());
        CSVFormat format = CSVFormat.DEFAULT
                .builder()
                .setDelimiter(delimiter)
                .setIgnoreEmptyLines(true)
                .get();
        List<List<String>> rows = new ArrayList<>();
        try (CSVParser parser = CSVParser.parse(new StringReader(String.join("\n", lines)), format)) {
            for (CSVRecord record : parser) {
                rows.add(record.toList());
            }
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            // why: the head may end inside a quoted field; what parsed so far still makes a table
        }
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        return columns > 1 ? new Table(List.copyOf(rows), columns) : null;
    }

    /** The delimiter the header line uses most. */
    private static char delimiter(String header) {
        char best = ',';
        long most = 0;
        for (char d : DELIMITERS) {
            long count = header.chars().filter(c -> c == d).count();
            if (count > most) {
                most = count;
                best = d;
            }
        }
        return best;
    }
}
