package io.chute.realtime;

import tools.jackson.core.io.JsonStringEncoder;

/** Server frames as text: {@code {type, seq?, id?, data}}, with {@code data} already JSON. */
final class Frames {

    private Frames() {}

    static String event(String type, Long seq, String data) {
        StringBuilder b = new StringBuilder(data.length() + 48).append("{\"type\":");
        quote(b, type);
        if (seq != null) {
            b.append(",\"seq\":").append(seq);
        }
        return b.append(",\"data\":").append(data).append('}').toString();
    }

    static String reply(String type, String id, String data) {
        StringBuilder b = new StringBuilder().append("{\"type\":");
        quote(b, type);
        if (id != null) {
            b.append(",\"id\":");
            quote(b, id);
        }
        if (data != null) {
            b.append(",\"data\":").append(data);
        }
        return b.append('}').toString();
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, b);
        b.append('"');
    }
}
