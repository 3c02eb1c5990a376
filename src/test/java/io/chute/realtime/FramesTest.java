package io.chute.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class FramesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void buildsEventEnvelopesWithSeqAndRawData() {
        String frame = Frames.event("job.updated", 42L, "{\"jobId\":\"x\"}");
        assertThat(JSON.readValue(frame, Map.class))
                .isEqualTo(Map.of("type", "job.updated", "seq", 42, "data", Map.of("jobId", "x")));
    }

    @Test
    void leavesSeqOutOfEphemeralEvents() {
        assertThat(JSON.readValue(Frames.event("typing", null, "{}"), Map.class))
                .doesNotContainKey("seq");
    }

    @Test
    void escapesAClientsFrameIdInReplies() {
        String id = "\"},\"type\":\"evil\\";
        Map<?, ?> reply = JSON.readValue(Frames.reply("ack", id, null), Map.class);
        assertThat(reply).isEqualTo(Map.of("type", "ack", "id", id));
    }

    @Test
    void routesNameAUserOrAChannel() {
        UUID id = UUID.randomUUID();
        assertThat(Route.user(id).key()).isEqualTo("user." + id);
        assertThat(Route.channel(id).id()).isEqualTo(id);
        assertThat(Route.user(id).isUser()).isTrue();
        assertThatThrownBy(() -> new Route("everyone")).isInstanceOf(IllegalArgumentException.class);
    }
}
