package io.chute.chat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * {@code @username} in a message's content, resolved to the channel's members when the message is
 * stored or edited: a name that is not a member's mentions nobody. Usernames match case-insensitively.
 */
@Component
class Mentions {

    // a username (AuthController): 3-32 of letters, digits, '_', '.', '-'; not preceded by a word character (e-mail
    // addresses)
    private static final Pattern MENTION = Pattern.compile("(?<![\\w.@-])@([A-Za-z0-9_.-]{3,32})");

    private final Messages messages;

    Mentions(Messages messages) {
        this.messages = messages;
    }

    /** The lowered usernames {@code content} mentions, in order, each once. */
    static Set<String> names(String content) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = MENTION.matcher(content);
        while (m.find()) {
            // why: a sentence's full stop after a name is not part of it
            String name = m.group(1).replaceAll("[.-]+$", "");
            if (name.length() >= 3) {
                names.add(name.toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    /** The members named in several messages' contents (channel → content), resolved with one query. */
    Resolved resolve(Collection<Map.Entry<UUID, String>> contents) {
        Set<UUID> channels = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (Map.Entry<UUID, String> c : contents) {
            Set<String> inThis = names(c.getValue());
            if (!inThis.isEmpty()) {
                channels.add(c.getKey());
                names.addAll(inThis);
            }
        }
        return new Resolved(messages.membersNamed(channels, names));
    }

    /** Members by "channel/lowered username". */
    record Resolved(Map<String, UUID> members) {

        /** The members {@code content} mentions in {@code channelId}, in order, each once. */
        List<UUID> in(UUID channelId, String content) {
            List<UUID> ids = new ArrayList<>();
            for (String name : names(content)) {
                UUID id = members.get(channelId + "/" + name);
                if (id != null && !ids.contains(id)) {
                    ids.add(id);
                }
            }
            return ids;
        }
    }
}
