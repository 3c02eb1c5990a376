package io.chute.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.common.InvalidInputException;
import java.nio.charset.StandardCharsets;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Validation of the bodies of {@code /api/auth/register} and {@code /api/auth/login}. */
class AuthRequestsTest {

    private static final String PASSWORD = "correct horse";

    @Nested
    class Registration {

        @ParameterizedTest
        @ValueSource(strings = {"abc", "alice", "Alice_Smith-2.0", "a.b", "___", "0123456789abcdefghijABCDEFGHIJ_-"})
        void acceptsUsernamesOf3To32LettersDigitsUnderscoresDotsOrDashes(String username) {
            assertThat(new AuthController.Registration(username, PASSWORD, "Alice").username())
                    .isEqualTo(username);
        }

        @Test
        void trimsTheUsername() {
            assertThat(new AuthController.Registration("  alice\t", PASSWORD, null).username())
                    .isEqualTo("alice");
        }

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {"   "})
        void refusesAMissingUsername(String username) {
            assertRefused(() -> new AuthController.Registration(username, PASSWORD, null), "username is required");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "ab",
                    "a",
                    "a b",
                    "alice@example.com",
                    "ålice",
                    "al/ice",
                    "al\\ice",
                    "<b>x</b>",
                    "al'ice",
                    "ali+ce",
                    "алиса"
                })
        void refusesUsernamesOutsideTheAllowedCharactersOrTooShort(String username) {
            assertRefused(
                    () -> new AuthController.Registration(username, PASSWORD, null),
                    "username must be 3-32 letters, digits, '_', '.' or '-'");
        }

        @Test
        void refusesAUsernameOver32Characters() {
            assertThatThrownBy(() -> new AuthController.Registration("a".repeat(33), PASSWORD, null))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith("username ");
        }

        @Test
        void refusesAUsernameWithControlCharacters() {
            assertThatThrownBy(() -> new AuthController.Registration("ali\u0000ce", PASSWORD, null))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith("username ");
        }

        @ParameterizedTest
        @ValueSource(strings = {"12345678", "        ", "pässwörd"})
        void acceptsAPasswordOf8Characters(String password) {
            assertThat(new AuthController.Registration("alice", password, null).password())
                    .isEqualTo(password);
        }

        @Test
        void keepsThePasswordExactlyAsSent() {
            assertThat(new AuthController.Registration("alice", "  spaced out  ", null).password())
                    .isEqualTo("  spaced out  ");
        }

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {"1234567", "äöüäöüä"})
        void refusesAPasswordShorterThan8Characters(String password) {
            assertRefused(
                    () -> new AuthController.Registration("alice", password, null),
                    "password must be at least 8 characters");
        }

        @Test
        void acceptsAPasswordOf72Bytes() {
            String ascii = "p".repeat(72);
            String threeByteChars = "€".repeat(24);
            assertThat(threeByteChars.getBytes(StandardCharsets.UTF_8)).hasSize(72);

            assertThat(new AuthController.Registration("alice", ascii, null).password())
                    .isEqualTo(ascii);
            assertThat(new AuthController.Registration("alice", threeByteChars, null).password())
                    .isEqualTo(threeByteChars);
        }

        @Test
        void refusesAPasswordOver72Bytes() {
            assertRefused(
                    () -> new AuthController.Registration("alice", "p".repeat(73), null),
                    "password must be at most 72 bytes");
        }

        @Test
        void refusesAPasswordOf30CharactersThatIs90Bytes() {
            String password = "€".repeat(30);
            assertThat(password).hasSize(30);
            assertThat(password.getBytes(StandardCharsets.UTF_8)).hasSize(90);

            assertRefused(
                    () -> new AuthController.Registration("alice", password, null),
                    "password must be at most 72 bytes");
        }

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {"   ", "\t"})
        void defaultsTheDisplayNameToTheUsername(String displayName) {
            assertThat(new AuthController.Registration(" alice ", PASSWORD, displayName).displayName())
                    .isEqualTo("alice");
        }

        @Test
        void trimsTheDisplayNameAndKeepsUnicode() {
            assertThat(new AuthController.Registration("alice", PASSWORD, "  Алиса 🌸 ").displayName())
                    .isEqualTo("Алиса 🌸");
        }

        @Test
        void acceptsADisplayNameOf64Characters() {
            String name = "d".repeat(64);

            assertThat(new AuthController.Registration("alice", PASSWORD, name).displayName())
                    .isEqualTo(name);
        }

        @Test
        void refusesADisplayNameOver64Characters() {
            assertRefused(
                    () -> new AuthController.Registration("alice", PASSWORD, "d".repeat(65)),
                    "displayName must be at most 64 characters");
        }

        @Test
        void refusesADisplayNameWithControlCharacters() {
            assertRefused(
                    () -> new AuthController.Registration("alice", PASSWORD, "Alice\nAdmin"),
                    "displayName must not contain control characters");
        }
    }

    @Nested
    class Credentials {

        @Test
        void keepsTrimmedUsernameAndExactPassword() {
            var credentials = new AuthController.Credentials("  alice ", " pw ");

            assertThat(credentials.username()).isEqualTo("alice");
            assertThat(credentials.password()).isEqualTo(" pw ");
        }

        @Test
        void acceptsAnyNonEmptyPasswordSoThatLoginNeverRevealsThePolicy() {
            assertThat(new AuthController.Credentials("alice", "x").password()).isEqualTo("x");
        }

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {"  "})
        void refusesAMissingUsername(String username) {
            assertRefused(() -> new AuthController.Credentials(username, PASSWORD), "username is required");
        }

        @Test
        void refusesAUsernameOver64Characters() {
            assertRefused(
                    () -> new AuthController.Credentials("a".repeat(65), PASSWORD),
                    "username must be at most 64 characters");
        }

        @ParameterizedTest
        @NullAndEmptySource
        void refusesAMissingPassword(String password) {
            assertRefused(() -> new AuthController.Credentials("alice", password), "password is required");
        }
    }

    private static void assertRefused(ThrowingCallable construction, String message) {
        assertThatThrownBy(construction)
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(message);
    }
}
