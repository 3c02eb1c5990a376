package io.chute.search;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.chute.common.InvalidInputException;
import io.chute.upload.UploadState;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Full-text search in PostgreSQL over what the caller can read: the text of messages, the names of
 * the files they carry and the extracted text of those files (documents), in the caller's channels
 * only. {@code q} is web-search syntax ({@code websearch_to_tsquery}: words, "a phrase", -not, or).
 * Results come newest first with a keyset cursor; snippets mark each match between « and ».
 */
@Repository
class Search {

    static final int MAX_PAGE = 100;
    static final int MAX_QUERY = 200;
    /** A message or a file name: a window of its words around the matches (all of a short one). */
    private static final String HEADLINE = "StartSel=«, StopSel=», MaxWords=30, MinWords=12";
    /** A document: up to two passages with matches. */
    private static final String DOCUMENT_HEADLINE =
            "StartSel=«, StopSel=», MaxWords=24, MinWords=8, MaxFragments=2, " + "FragmentDelimiter=\" … \"";

    // why: the matches are found and ordered on ids alone; snippets (ts_headline re-reads the text) only for the page
    static final String SQL = """
            with q as (select websearch_to_tsquery('simple', :q) as query),
            mine as (select channel_id from channel_members
                     where user_id = :caller and (cast(:channel as uuid) is null or channel_id = cast(:channel as uuid))),
            -- why: two index scans (names, texts) rather than one OR, which no index can answer
            matched_files as (
                select u.id from uploads u, q where u.name_search @@ q.query
                union
                select t.upload_id from upload_texts t, q where t.search @@ q.query),
            hits as (
                select 'message' as kind, m.channel_id, m.id as message_id, null::uuid as upload_id, m.created_at,
                       cast(:messageSub as uuid) as sub
                from messages m, q
                where m.channel_id = any(array(select channel_id from mine)) and m.search @@ q.query and m.deleted_at is null
                union all
                select 'file', a.channel_id, a.message_id, a.upload_id, m.created_at, a.upload_id
                from matched_files x
                -- why: a file deleted or purged has no bytes left; its name and text must not be found either
                join uploads f on f.id = x.id and f.state = :complete
                join message_attachments a on a.upload_id = x.id
                join messages m on m.id = a.message_id
                where a.channel_id = any(array(select channel_id from mine)))
            select h.kind, h.channel_id, h.message_id, h.upload_id, h.created_at, h.sub, u.file_name,
                   case when h.kind = 'message' then ts_headline('simple', m.content, q.query, :headline)
                        when t.search @@ q.query and not u.name_search @@ q.query
                            then ts_headline('simple', t.content, q.query, :documentHeadline)
                        else ts_headline('simple', u.file_name, q.query, :headline) end as snippet
            from (select distinct * from hits
                  where cast(:at as timestamptz) is null
                     or (created_at, message_id, sub) < (cast(:at as timestamptz), cast(:mid as uuid), cast(:sub as uuid))
                  order by created_at desc, message_id desc, sub desc
                  limit :limit) h
            join messages m on m.id = h.message_id
            left join uploads u on u.id = h.upload_id
            left join upload_texts t on t.upload_id = h.upload_id
            cross join q
            order by h.created_at desc, h.message_id desc, h.sub desc""";

    private final JdbcClient jdbc;

    Search(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** One result: a message's text, or a file (by its name or its text) with the message that carries it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Result(
            String kind,
            UUID channelId,
            UUID messageId,
            UUID uploadId,
            String fileName,
            String snippet,
            Instant createdAt) {}

    record Page(List<Result> items, String nextCursor) {}

    Page search(UUID callerId, String q, UUID channelId, SearchCursor before, int limit) {
        InvalidInputException.require(q != null && !q.isBlank(), "q is required");
        InvalidInputException.require(q.length() <= MAX_QUERY, "q must be at most " + MAX_QUERY + " characters");
        InvalidInputException.require(
                q.chars().noneMatch(Character::isISOControl), "q must not contain control characters");
        InvalidInputException.require(limit >= 1 && limit <= MAX_PAGE, "limit must be between 1 and " + MAX_PAGE);
        List<Row> rows = statement(jdbc, SQL, callerId, q, channelId, before, limit + 1)
                .query((rs, n) -> new Row(
                        new Result(
                                rs.getString("kind"),
                                rs.getObject("channel_id", UUID.class),
                                rs.getObject("message_id", UUID.class),
                                rs.getObject("upload_id", UUID.class),
                                rs.getString("file_name"),
                                rs.getString("snippet"),
                                rs.getTimestamp("created_at").toInstant()),
                        rs.getObject("sub", UUID.class)))
                .list();
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            Row last = rows.getLast();
            next = new SearchCursor(last.result().createdAt(), last.result().messageId(), last.sub()).encode();
        }
        return new Page(rows.stream().map(Row::result).toList(), next);
    }

    /** {@code sql} (the search, or an EXPLAIN of it) with the search's parameters bound. */
    static JdbcClient.StatementSpec statement(
            JdbcClient jdbc, String sql, UUID callerId, String q, UUID channelId, SearchCursor before, int limit) {
        return jdbc.sql(sql)
                .param("q", q)
                .param("caller", callerId)
                .param("channel", channelId)
                .param("messageSub", SearchCursor.MESSAGE_SUB)
                .param("headline", HEADLINE)
                .param("documentHeadline", DOCUMENT_HEADLINE)
                .param("at", before == null ? null : Timestamp.from(before.createdAt()))
                .param("mid", before == null ? null : before.messageId())
                .param("sub", before == null ? null : before.sub())
                .param("complete", UploadState.COMPLETE.name())
                .param("limit", limit);
    }

    private record Row(Result result, UUID sub) {}
}
