package io.chute.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.ChuteIT;
import io.chute.support.TestClient;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** On an empty system (its own data dir), the first account is the admin and the next is not. */
@ChuteIT("chute.admin-users=carla")
class FirstUserIsAdminIT {

    @LocalServerPort
    int port;

    @Test
    void theFirstRegisteredUserIsAdminAndLaterOnesAreNot() {
        TestClient client = new TestClient(URI.create("http://localhost:" + port));

        Map<String, Object> first = client.post(
                        "/api/auth/register", Map.of("username", "anna", "password", "password-1"))
                .json();
        Map<String, Object> second = client.post(
                        "/api/auth/register", Map.of("username", "ben", "password", "password-2"))
                .json();
        Map<String, Object> named = client.post(
                        "/api/auth/register", Map.of("username", "Carla", "password", "password-3"))
                .json();

        assertThat(user(first)).containsEntry("admin", true);
        assertThat(user(second)).containsEntry("admin", false);
        assertThat(user(named)).as("named in chute.admin-users").containsEntry("admin", true);
        assertThat(client.withToken((String) first.get("token")).get("/api/me").json())
                .containsEntry("admin", true);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> user(Map<String, Object> session) {
        return (Map<String, Object>) session.get("user");
    }
}
