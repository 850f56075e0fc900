package io.redwatch.collector.doctor;

/** The input of doctor cannot be read; the message names the problem in one line. */
final class DoctorInputException extends RuntimeException {
    DoctorInputException(String message) {
        super(message);
    }
}
