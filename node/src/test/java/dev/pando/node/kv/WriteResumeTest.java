package dev.pando.node.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/** The error mapping and retry schedule behind a full disk, without a disk. */
class WriteResumeTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final WriteResume resume = new WriteResume("/data/state", now::get);

    private static RocksDBException noSpace() {
        return new RocksDBException("While appending to file: 000004.log: No space left on device",
                new Status(Status.Code.IOError, Status.SubCode.NoSpace, "No space left on device"));
    }

    @Test
    void noSpaceIsUnavailableNamingTheDiskAndBlocksWritesUntilTheRetryIsDue() {
        PandoException e = resume.failed(noSpace());
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains("disk full", "/data/state", "resume");
        assertThat(resume.blocked()).isTrue();
        assertThat(resume.retryDue()).isFalse();
        assertThat(resume.unavailable().code()).isEqualTo(ErrorCode.UNAVAILABLE);

        now.addAndGet(WriteResume.FIRST_RETRY_MILLIS);
        assertThat(resume.retryDue()).isTrue();
        resume.retryFailed();
        assertThat(resume.retryDue()).isFalse();
        now.addAndGet(2 * WriteResume.FIRST_RETRY_MILLIS);
        assertThat(resume.retryDue()).isTrue();
        for (int i = 0; i < 20; i++) {
            resume.retryFailed();
        }
        now.addAndGet(WriteResume.MAX_RETRY_MILLIS);
        assertThat(resume.retryDue()).as("backoff is capped").isTrue();

        resume.resumed();
        assertThat(resume.blocked()).isFalse();
    }

    @Test
    void otherIoErrorsSuspendWritesTooButNonIoErrorsAreInternalAndDoNotBlock() {
        PandoException io = resume.failed(new RocksDBException("EIO", new Status(Status.Code.IOError, Status.SubCode.None, "EIO")));
        assertThat(io.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        resume.resumed();
        PandoException bad = resume.failed(new RocksDBException("bad", new Status(Status.Code.InvalidArgument, Status.SubCode.None, "bad")));
        assertThat(bad.code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(resume.blocked()).isFalse();
    }
}
