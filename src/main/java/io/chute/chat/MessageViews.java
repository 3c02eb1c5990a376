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

    /** A message known to have no attachments, without asking the database. */
    MessageView plain(Messages.Message m) {
        return new MessageView(m.id(), m.channelId(), m.seq(), m.senderId(), m.content(), List.of(), m.clientMessageId(),
                m.createdAt());
    }

    MessageView of(Messages.Message message) {
        return of(List.of(message)).getFirst();
    }

    List<MessageView> of(Collection<Messages.Message> page) {
        Map<java.util.UUID, List<Messages.Attachment>> attachments = messages.attachmentsOf(
                page.stream().map(Messages.Message::id).toList());
        Map<JobId, Job> jobsById = jobs.findAll(attachments.values().stream().flatMap(List::stream)
                        .map(Messages.Attachment::jobId).filter(Objects::nonNull).distinct().toList())
                .stream().collect(Collectors.toMap(Job::id, Function.identity()));
        return page.stream().map(m -> new MessageView(m.id(), m.channelId(), m.seq(), m.senderId(), m.content(),
                attachments.getOrDefault(m.id(), List.of()).stream().map(a -> attachment(a, jobsById)).toList(),
                m.clientMessageId(), m.createdAt())).toList();
    }

    private MessageView.AttachmentView attachment(Messages.Attachment a, Map<JobId, Job> jobsById) {
        Job job = a.jobId() == null ? null : jobsById.get(new JobId(a.jobId()));
        if (job == null) {
            return new MessageView.AttachmentView(a.uploadId(), a.fileName(), a.size(), a.detectedType(), a.jobId(), null, Map.of());
        }
        JobView view = JobView.of(job, store, properties.uploads().downloadUrlTtl());
        return new MessageView.AttachmentView(a.uploadId(), a.fileName(), a.size(), a.detectedType(), a.jobId(), job.status(),
                view.outputs(), view.sha256());
    }
}
