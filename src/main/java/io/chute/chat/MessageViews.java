package io.chute.chat;

import io.chute.config.ChuteProperties;
import io.chute.job.Job;
import io.chute.job.JobId;
import io.chute.job.JobView;
import io.chute.job.Jobs;
import io.chute.storage.ObjectStore;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/** Turns stored messages into {@link MessageView}s: the attachments and their jobs of a whole page in two queries. */
@Component
class MessageViews {

    private final Messages messages;
    private final Jobs jobs;
    private final ObjectStore store;
    private final ChuteProperties properties;

    MessageViews(Messages messages, Jobs jobs, ObjectStore store, ChuteProperties properties) {
        this.messages = messages;
        this.jobs = jobs;
        this.store = store;
        this.properties = properties;
    }

    /** A message known to have no attachments, reactions nor reply, without asking the database. */
    MessageView plain(Messages.Message m) {
        return view(m, List.of(), null, List.of());
    }

    /** A message as every member sees it (in events): reactions without {@code me}. */
    MessageView of(Messages.Message message) {
        return of(List.of(message), null).getFirst();
    }

    /**
     * A page as {@code viewerId} sees it (null: as every member sees it, in events): attachments with
     * their jobs, quoted replies and reactions in a query each.
     */
    List<MessageView> of(Collection<Messages.Message> page, UUID viewerId) {
        Map<UUID, List<Messages.Attachment>> attachments =
                messages.attachmentsOf(page.stream().map(Messages.Message::id).toList());
        Map<JobId, Job> jobsById = jobs
                .findAll(attachments.values().stream()
                        .flatMap(List::stream)
                        .map(Messages.Attachment::jobId)
                        .filter(Objects::nonNull)
                        .distinct()
                        .toList())
                .stream()
                .collect(Collectors.toMap(Job::id, Function.identity()));
        Map<UUID, Messages.Message> quoted = messages
                .findAll(page.stream()
                        .map(Messages.Message::replyTo)
                        .filter(Objects::nonNull)
                        .distinct()
                        .toList())
                .stream()
                .collect(Collectors.toMap(Messages.Message::id, Function.identity()));
        Map<UUID, List<Messages.Reaction>> reactions =
                messages.reactionsOf(page.stream().map(Messages.Message::id).toList(), viewerId);
        return page.stream()
                .map(m -> view(
                        m,
                        attachments.getOrDefault(m.id(), List.of()).stream()
                                .map(a -> attachment(a, jobsById))
                                .toList(),
                        m.replyTo() == null ? null : reply(m.replyTo(), quoted.get(m.replyTo())),
                        reactions.getOrDefault(m.id(), List.of()).stream()
                                .map(r -> new MessageView.ReactionView(
                                        r.emoji(), r.count(), r.userIds(), viewerId == null ? null : r.me()))
                                .toList()))
                .toList();
    }

    private static MessageView view(
            Messages.Message m,
            List<MessageView.AttachmentView> attachments,
            MessageView.ReplyView reply,
            List<MessageView.ReactionView> reactions) {
        return new MessageView(
                m.id(),
                m.channelId(),
                m.seq(),
                m.senderId(),
                m.content(),
                attachments,
                m.clientMessageId(),
                m.createdAt(),
                m.editedAt(),
                m.deletedAt(),
                reply,
                reactions,
                m.mentions());
    }

    private static MessageView.ReplyView reply(UUID id, Messages.Message original) {
        if (original == null) {
            return new MessageView.ReplyView(id, null, "");
        }
        String content = original.content();
        int end = Math.min(content.length(), MessageView.QUOTE);
        // why: a cut between the two halves of a surrogate pair would leave half a character
        if (end < content.length() && Character.isHighSurrogate(content.charAt(end - 1))) {
            end--;
        }
        return new MessageView.ReplyView(id, original.senderId(), content.substring(0, end));
    }

    private MessageView.AttachmentView attachment(Messages.Attachment a, Map<JobId, Job> jobsById) {
        Job job = a.jobId() == null ? null : jobsById.get(new JobId(a.jobId()));
        if (job == null) {
            return new MessageView.AttachmentView(
                    a.uploadId(), a.fileName(), a.size(), a.detectedType(), a.jobId(), null, Map.of());
        }
        JobView view = JobView.of(job, store, properties.uploads().downloadUrlTtl());
        return new MessageView.AttachmentView(
                a.uploadId(),
                a.fileName(),
                a.size(),
                a.detectedType(),
                a.jobId(),
                job.status(),
                view.outputs(),
                view.sha256());
    }
}
