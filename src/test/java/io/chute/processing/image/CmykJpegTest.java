package io.chute.processing.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.LibVips;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standard CMYK profile and the test of an embedded one, which choose how the Java engine shows a CMYK JPEG. */
class CmykJpegTest {

    @TempDir
    Path dir;

    @Test
    void theStandardProfileIsTheOneLibvipsAssumes() throws Exception {
        // libvips tags what it converts to its built-in "cmyk" with that profile; read it back from the file
        Path tagged = dir.resolve("tagged.tif");
        run("vips", "icc_transform", ColourCorpus.referencePng(dir).toString(), tagged.toString(), "cmyk");
        String base64 = run("vipsheader", "-f", "icc-profile-data", tagged.toString());

        byte[] libvips = Base64.getMimeDecoder().decode(base64.strip());

        assertThat(libvips).hasSizeGreaterThan(1000).isEqualTo(standardProfileBytes());
        assertThat(CmykJpeg.standard().getNumComponents()).isEqualTo(4);
    }

    @Test
    void aProfileConvertsToColourWithItsPerceptualTableAloneButNotWithoutAnyDeviceTable() throws IOException {
        assertThat(CmykJpeg.convertsToSrgb(CmykJpeg.standard())).isTrue();
        assertThat(CmykJpeg.convertsToSrgb(space(ColourCorpus.standardCmykWithout(dir, "A2B1", "A2B2"))))
                .isTrue();
        assertThat(CmykJpeg.convertsToSrgb(space(ColourCorpus.standardCmykWithout(dir, "A2B0", "A2B1", "A2B2"))))
                .isFalse();
    }

    @Test
    void theStrippedProfilesLackExactlyTheTagsDropped() throws IOException {
        ICC_Profile perceptualOnly =
                ICC_Profile.getInstance(Files.readAllBytes(ColourCorpus.standardCmykWithout(dir, "A2B1", "A2B2")));

        assertThat(perceptualOnly.getData(ICC_Profile.icSigAToB0Tag)).isNotNull();
        assertThat(perceptualOnly.getData(ICC_Profile.icSigAToB1Tag)).isNull();
        assertThat(perceptualOnly.getData(ICC_Profile.icSigAToB2Tag)).isNull();
        assertThat(perceptualOnly.getData(ICC_Profile.icSigBToA1Tag))
                .isEqualTo(ICC_Profile.getInstance(standardProfileBytes()).getData(ICC_Profile.icSigBToA1Tag));
    }

    private static ICC_ColorSpace space(Path profile) throws IOException {
        return new ICC_ColorSpace(ICC_Profile.getInstance(Files.readAllBytes(profile)));
    }

    private static byte[] standardProfileBytes() throws IOException {
        try (InputStream in = CmykJpeg.class.getResourceAsStream(CmykJpeg.STANDARD_PROFILE)) {
            return Objects.requireNonNull(in, CmykJpeg.STANDARD_PROFILE).readAllBytes();
        }
    }

    private String run(String tool, String... arguments) throws Exception {
        List<String> command =
                new java.util.ArrayList<>(List.of(LibVips.tools().resolve(tool).toString()));
        command.addAll(List.of(arguments));
        Path out = Files.createTempFile(dir, tool, ".out");
        Path err = Files.createTempFile(dir, tool, ".err");
        Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("%s finished", command)
                .isTrue();
        assertThat(process.exitValue())
                .as("%s: %s", command, Files.readString(err))
                .isZero();
        return Files.readString(out, StandardCharsets.US_ASCII);
    }
}
