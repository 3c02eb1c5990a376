package io.chute.upload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The part plan follows S3's rules: parts of at least 5 MiB, whole MiB, at most 10,000 of them. */
class PartPlanTest {

    private static final long MiB = 1024 * 1024;

    @ParameterizedTest
    @CsvSource({
        "1, 5",
        "11534336, 5", // 11 MiB: three parts of 5, 5, 1 MiB
        "52428800000, 5", // exactly 10,000 parts of 5 MiB
        "52428800001, 6", // one byte more needs bigger parts
        "5368709120, 5", // 5 GiB
        "107374182400, 11"
    }) // 100 GiB: ceil(10.24 MiB) = 11 MiB
    void partSizeIsTheSmallestWholeMiBThatFitsInTenThousandParts(long size, long expectedMiB) {
        long partSize = UploadService.partSizeFor(size);

        assertThat(partSize).isEqualTo(expectedMiB * MiB);
        assertThat((size + partSize - 1) / partSize).isBetween(1L, 10_000L);
    }
}
