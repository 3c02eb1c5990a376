package io.chute.processing.scan;

import java.io.IOException;

/**
 * clamd gave no verdict: it could not be reached, did not answer in time, broke the connection
 * or answered something that is not a verdict. Says nothing about the file, so the scan is to be
 * tried again later; never read it as "clean".
 */
public class ClamAvException extends IOException {

    public ClamAvException(String message) {
        super(message);
    }

    public ClamAvException(String message, Throwable cause) {
        super(message, cause);
    }
}
