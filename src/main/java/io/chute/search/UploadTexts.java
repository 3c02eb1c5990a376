package io.chute.search;

import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The indexed text of documents, one row per upload ({@code upload_texts}). */
@Repository
class UploadTexts {

    private final JdbcClient jdbc;

    UploadTexts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    boolean has(UUID uploadId) {
        return jdbc.sql("select exists (select 1 from upload_texts where upload_id = ?)")
                .param(uploadId)
                .query(Boolean.class)
                .single();
    }

    /** Stores the text unless the upload has one already, or was purged meanwhile (its message deleted). */
    void insert(UUID uploadId, String content, boolean truncated) {
        jdbc.sql("""
                insert into upload_texts (upload_id, content, truncated)
                select ?, ?, ? where exists (select 1 from uploads where id = ? and state <> 'PURGED')
                on conflict (upload_id) do nothing""").params(uploadId, content, truncated, uploadId).update();
    }
}
