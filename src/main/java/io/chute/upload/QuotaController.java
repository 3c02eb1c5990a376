package io.chute.upload;

import static io.chute.common.InvalidInputException.require;

import io.chute.common.ApiException;
import io.chute.common.StorageUsage;
import java.util.UUID;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Admins set a user's own quota; {@code /api/admin/**} is admin-only by the security configuration. */
@RestController
class QuotaController {

    private final Quotas quotas;
    private final UploadQuota quota;

    QuotaController(Quotas quotas, UploadQuota quota) {
        this.quotas = quotas;
        this.quota = quota;
    }

    /** {@code bytes} null: back to {@code chute.uploads.quota}. */
    record QuotaChange(Long bytes) {
        QuotaChange {
            require(bytes == null || bytes >= 0, "bytes must be 0 or more, or null for the configured default");
        }
    }

    @PutMapping("/api/admin/users/{id}/quota")
    StorageUsage.Account set(@PathVariable UUID id, @RequestBody QuotaChange body) {
        if (!quotas.setOverride(id, body.bytes())) {
            throw ApiException.notFound("User");
        }
        return quota.of(id);
    }
}
