package io.chute.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.chute.auth.CurrentUser;
import io.chute.auth.Users;
import io.chute.common.ApiException;
import io.chute.common.InvalidInputException;
import io.chute.config.ConditionalOnRole;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The caller's contact list: whose presence they follow. */
@RestController
@ConditionalOnRole("api")
class ContactController {

    private final Contacts contacts;
    private final Users users;

    ContactController(Contacts contacts, Users users) {
        this.contacts = contacts;
        this.users = users;
    }

    record AddContact(UUID userId) {
        AddContact {
            InvalidInputException.require(userId != null, "userId is required");
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ContactView(
            UUID id, String username, String displayName, boolean admin, boolean online, Instant lastSeenAt) {}

    record ContactList(List<ContactView> items) {}

    @GetMapping("/api/contacts")
    ContactList list(CurrentUser caller) {
        return new ContactList(contacts.of(caller.id()).stream()
                .map(c -> new ContactView(
                        c.user().id(),
                        c.user().username(),
                        c.user().displayName(),
                        c.user().admin(),
                        c.online(),
                        c.lastSeenAt()))
                .toList());
    }

    /** Adds a contact (204, also when it already was one); 404 for an unknown user, 400 for oneself. */
    @PostMapping("/api/contacts")
    ResponseEntity<Void> add(@RequestBody AddContact body, CurrentUser caller) {
        InvalidInputException.require(!body.userId().equals(caller.id()), "You cannot add yourself as a contact");
        users.find(body.userId()).orElseThrow(() -> ApiException.notFound("User"));
        contacts.add(caller.id(), body.userId());
        return ResponseEntity.noContent().build();
    }

    /** Removes a contact; 404 when they were not one. */
    @DeleteMapping("/api/contacts/{userId}")
    ResponseEntity<Void> remove(@PathVariable UUID userId, CurrentUser caller) {
        if (!contacts.remove(caller.id(), userId)) {
            throw ApiException.notFound("Contact");
        }
        return ResponseEntity.noContent().build();
    }
}
