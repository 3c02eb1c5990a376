package io.chute.processing;

import org.springframework.stereotype.Component;

/**
 * The pipeline of a file type that no other processor handles (a .zip, a .csv, a binary): after
 * the scanners it has nothing to make, so the job completes with the original only.
 */
@Component
class OriginalOnly implements Processor {

    static final String JOB_TYPE = "file";

    @Override
    public String jobType() {
        return JOB_TYPE;
    }

    @Override
    public boolean handles(String mediaType) {
        return true;
    }

    @Override
    public int order() {
        return Integer.MAX_VALUE;
    }

    @Override
    public String name() {
        return "original";
    }

    @Override
    public Step process(Context context) {
        return Step.nothing();
    }
}
