package io.chute.processing.text;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Draws the start of a text file as an image: its first lines in a monospaced font, or a
 * table's first rows in a grid with a bold header. The size is bounded by the lines given (at
 * most {@link #MAX_WIDTH} wide), never by the file.
 */
final class TextPreview {

    static final int MAX_WIDTH = 1200;
    private static final int PADDING = 12;
    private static final int MIN_WIDTH = 320;
    private static final int MAX_CELL_CHARS = 32;
    private static final Font MONO = new Font(Font.MONOSPACED, Font.PLAIN, 14);
    private static final Color PAPER = Color.WHITE;
    private static final Color INK = new Color(0x22, 0x22, 0x22);
    private static final Color RULE = new Color(0xCC, 0xCC, 0xCC);

    private TextPreview() {}

    static BufferedImage lines(List<String> lines) {
        List<String> shown = lines.isEmpty()
                ? List.of(" ")
                : lines.stream().map(TextPreview::printable).toList();
        return draw(
                MONO,
                (g, metrics) -> {
                    int y = PADDING + metrics.getAscent();
                    for (String line : shown) {
                        g.drawString(line, PADDING, y);
                        y += metrics.getHeight();
                    }
                },
                metrics -> PADDING * 2
                        + shown.stream().mapToInt(metrics::stringWidth).max().orElse(0),
                metrics -> PADDING * 2 + shown.size() * metrics.getHeight());
    }

    static BufferedImage table(List<List<String>> rows) {
        int columns = rows.stream().mapToInt(List::size).max().orElse(1);
        int[] chars = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < row.size(); c++) {
                chars[c] = Math.max(
                        chars[c], Math.min(MAX_CELL_CHARS, printable(row.get(c)).length()));
            }
        }
        return draw(
                MONO,
                (g, metrics) -> {
                    int charWidth = metrics.charWidth('m');
                    int rowHeight = metrics.getHeight() + 6;
                    int y = PADDING;
                    for (int r = 0; r < rows.size(); r++) {
                        g.setFont(r == 0 ? MONO.deriveFont(Font.BOLD) : MONO);
                        int x = PADDING;
                        for (int c = 0; c < columns; c++) {
                            String cell = c < rows.get(r).size()
                                    ? printable(rows.get(r).get(c))
                                    : "";
                            if (cell.length() > MAX_CELL_CHARS) {
                                cell = cell.substring(0, MAX_CELL_CHARS - 1) + "…";
                            }
                            g.setColor(INK);
                            g.drawString(cell, x + 4, y + 3 + metrics.getAscent());
                            x += (chars[c] + 1) * charWidth + 8;
                            g.setColor(RULE);
                            g.drawLine(x, y, x, y + rowHeight);
                        }
                        y += rowHeight;
                        g.drawLine(PADDING, y, x, y);
                    }
                },
                metrics -> PADDING * 2
                        + java.util.Arrays.stream(chars)
                                .map(n -> (n + 1) * metrics.charWidth('m') + 8)
                                .sum(),
                metrics -> PADDING * 2 + rows.size() * (metrics.getHeight() + 6));
    }

    private interface Painter {
        void paint(Graphics2D g, FontMetrics metrics);
    }

    private interface Measure {
        int of(FontMetrics metrics);
    }

    private static BufferedImage draw(Font font, Painter painter, Measure width, Measure height) {
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics metrics = pg.getFontMetrics(font);
        pg.dispose();
        int w = Math.clamp(width.of(metrics), MIN_WIDTH, MAX_WIDTH);
        int h = Math.max(PADDING * 2 + metrics.getHeight(), height.of(metrics));
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(PAPER);
            g.fillRect(0, 0, w, h);
            g.setColor(INK);
            g.setFont(font);
            painter.paint(g, metrics);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Tabs as four spaces, other control characters as a visible placeholder. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (cp == '\t') {
                out.append("    ");
            } else if (Character.isISOControl(cp)) {
                out.append('·');
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}
