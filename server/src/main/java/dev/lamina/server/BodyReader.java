package dev.lamina.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads a request body on the request's (virtual) thread, within a size limit (413 above it, before
 * reading when Content-Length says so) and a time limit for the whole body (408), so neither a huge
 * body nor a client trickling bytes (slowloris) can hold a thread or memory for long.
 */
final class BodyReader {
    private BodyReader() {}

    static byte[] read(Request request, long maxBytes, long timeoutNanos) throws InterruptedException {
        long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        if (declared > maxBytes) {
            throw tooLarge(maxBytes);
        }
        long deadline = System.nanoTime() + timeoutNanos;
        ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024);
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                CountDownLatch ready = new CountDownLatch(1);
                request.demand(ready::countDown);
                long left = deadline - System.nanoTime();
                if (left <= 0 || !ready.await(left, TimeUnit.NANOSECONDS)) {
                    throw new ApiError(408, "invalid_request_error", null, "request_timeout",
                            "the request body did not arrive within " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s");
                }
                continue;
            }
            if (Content.Chunk.isFailure(chunk)) {
                Throwable failure = chunk.getFailure();
                throw new ApiError(400, "invalid_request_error", null, null,
                        "the request body could not be read: " + failure.getMessage());
            }
            try {
                ByteBuffer b = chunk.getByteBuffer();
                if (out.size() + (long) b.remaining() > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                out.writeBytes(bytes);
            } finally {
                chunk.release();
            }
            if (chunk.isLast()) {
                return out.toByteArray();
            }
        }
    }

    private static ApiError tooLarge(long maxBytes) {
        return new ApiError(413, "invalid_request_error", null, "request_too_large",
                "the request body is larger than the server's limit of " + maxBytes + " bytes");
    }
}
