package io.chute.search;

import io.chute.support.BenchResults;
import io.chute.support.TestDatabase;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Search latency on a large chat: {@code messages} messages (default a million) of 8-20 words from
 * a 20,000-word vocabulary with a skewed (Zipf-like) frequency, in 500 channels of 40 members out
 * of 2,000 users; one file in 50 messages (20,000 names for a million), and an extracted text of
 * 1,500 words for 2,000 of them. Each query runs as a member of 10 channels (2% of the messages),
 * through the SQL of {@code GET /api/search} (first page of 20, snippets included): p50, p99 and
 * max per kind of query, then the EXPLAIN ANALYZE of a frequent word and of one that matches nothing.
 *
 * <p>Not a test: it asserts nothing and prints figures. Run by {@code bench/search.sh}.
 */
public final class SearchBenchmark {

    public static void main(String[] args) {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        try (TestDatabase database = TestDatabase.create()) {
            JdbcClient jdbc = JdbcClient.create(database.dataSource());
            long t0 = System.nanoTime();
            fill(jdbc, messages);
            System.out.printf("filled %,d messages in %.0f s%n", messages, (System.nanoTime() - t0) / 1e9);
            Search search = new Search(jdbc);
            UUID caller = jdbc.sql("select user_id from channel_members group by user_id having count(*) = 10 limit 1")
                    .query(UUID.class)
                    .single();
            UUID oneChannel = jdbc.sql("select channel_id from channel_members where user_id = ? limit 1")
                    .param(caller)
                    .query(UUID.class)
                    .single();
            record Kind(String name, String q, UUID channel) {}
            List<Kind> kinds = List.of(
                    new Kind("rare word", "w19500", null),
                    new Kind("mid word", "w900", null),
                    new Kind("frequent word", "w3", null),
                    new Kind("two words", "w3 w40", null),
                    new Kind("phrase", "\"w1 w2\"", null),
                    new Kind("document word", "d777", null),
                    new Kind("file name", "report", null),
                    new Kind("frequent word, one channel", "w3", oneChannel),
                    new Kind("no match", "nothingmatches", null));
            for (Kind kind : kinds) {
                for (int i = 0; i < 5; i++) {
                    search.search(caller, kind.q(), kind.channel(), null, 20);
                }
                long[] nanos = new long[rounds];
                int found = 0;
                for (int i = 0; i < rounds; i++) {
                    long start = System.nanoTime();
                    found = search.search(caller, kind.q(), kind.channel(), null, 20)
                            .items()
                            .size();
                    nanos[i] = System.nanoTime() - start;
                }
                Arrays.sort(nanos);
                System.out.printf(
                        "%-28s q=%-16s results=%2d  p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms%n",
                        kind.name(),
                        kind.q(),
                        found,
                        nanos[rounds / 2] / 1e6,
                        nanos[(int) Math.ceil(rounds * 0.99) - 1] / 1e6,
                        nanos[rounds - 1] / 1e6);
                double p99 = nanos[(int) Math.ceil(rounds * 0.99) - 1] / 1e6;
                BenchResults.record(
                        String.format("search p99 over %,d messages, %s", messages, kind.name()),
                        p99,
                        "ms",
                        null,
                        null,
                        BenchResults.Target.under("< 50 ms", p99, 50));
            }
            for (String q : List.of("w3", "nothingmatches")) {
                System.out.println("\nEXPLAIN ANALYZE of q=" + q + ", first page:");
                Search.statement(jdbc, "explain (analyze, buffers) " + Search.SQL, caller, q, null, null, 21)
                        .query(String.class)
                        .list()
                        .forEach(System.out::println);
            }
        }
    }

    private static void fill(JdbcClient jdbc, int messages) {
        jdbc.sql("""
                insert into users (id, username, password_hash, display_name)
                select gen_random_uuid(), 'user' || i, 'x', 'User ' || i from generate_series(1, 2000) i""").update();
        jdbc.sql("""
                insert into channels (id, type, name)
                select gen_random_uuid(), 'group', 'channel ' || i from generate_series(1, 500) i""").update();
        // user n is in the channels c with c = n (mod 50): 40 members a channel, 10 channels a user
        jdbc.sql("""
                insert into channel_members (channel_id, user_id, role)
                select c.id, u.id, 'member'
                from (select id, row_number() over (order by id) as n from channels) c
                join (select id, row_number() over (order by id) as n from users) u on u.n % 50 = c.n % 50""").update();
        List<UUID> channels = jdbc.sql("select id from channels order by id")
                .query(UUID.class)
                .list();
        List<UUID> senders = channels.stream()
                .map(c -> jdbc.sql("select user_id from channel_members where channel_id = ? limit 1")
                        .param(c)
                        .query(UUID.class)
                        .single())
                .toList();
        // why: one statement per 100,000 messages keeps each transaction small
        int perBatch = 100_000;
        for (int from = 0; from < messages; from += perBatch) {
            jdbc.sql("""
                    insert into messages (id, channel_id, seq, sender_id, client_message_id, content, created_at)
                    select gen_random_uuid(), (cast(:channels as uuid[]))[1 + i % 500], i, (cast(:senders as uuid[]))[1 + i % 500],
                           'b' || i,
                           (select string_agg('w' || floor(20000 * power(random(), 3))::int, ' ')
                            from generate_series(1, 8 + (i % 13)) k where i > 0),
                           now() - make_interval(secs => (:total - i)::float8 * 2)
                    from generate_series(:from + 1, :to) i""")
                    .param("channels", channels.toArray(UUID[]::new))
                    .param("senders", senders.toArray(UUID[]::new))
                    .param("total", messages)
                    .param("from", from)
                    .param("to", Math.min(messages, from + perBatch))
                    .update();
        }
        jdbc.sql(
                        "update channels c set last_seq = (select coalesce(max(seq), 0) from messages where channel_id = c.id)")
                .update();
        jdbc.sql("""
                insert into uploads (id, owner_id, file_name, size, content_type, object_key, state, expires_at, completed_at)
                select gen_random_uuid(), m.sender_id,
                       (array['report', 'invoice', 'photo', 'slides', 'notes'])[1 + (m.seq / 50 % 5)::int] || '-' || m.seq || '.pdf',
                       1000, 'application/pdf', 'bench/' || m.id, 'COMPLETE', now(), now()
                from messages m where m.seq % 50 = 0""").update();
        jdbc.sql("""
                insert into message_attachments (message_id, position, upload_id, channel_id)
                select m.id, 1, u.id, m.channel_id from uploads u join messages m on u.object_key = 'bench/' || m.id""").update();
        jdbc.sql("""
                insert into upload_texts (upload_id, content, truncated)
                select u.id, (select string_agg('d' || floor(5000 * power(random(), 2))::int, ' ')
                              from generate_series(1, 1500) k where u.id is not null), false
                from (select id from uploads order by id limit 2000) u""").update();
        jdbc.sql("vacuum analyze").update();
    }

    private SearchBenchmark() {}
}
