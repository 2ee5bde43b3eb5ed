package dev.lamina.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A file a command writes. It never is one of the command's inputs (truncating a memory-mapped
 * model kills the JVM with SIGBUS, and replacing it destroys the user's file), and it is written
 * under a new temporary name beside the target and renamed when complete, so a failure or an
 * interruption leaves any existing file as it was.
 */
final class OutputFile implements AutoCloseable {
    private final Path target;
    private final Path[] inputs;
    private final Path temporary;
    private final FileChannel channel;
    private boolean committed;

    private OutputFile(Path target, Path[] inputs) throws IOException {
        this.target = target;
        this.inputs = inputs;
        refuseInputs(target, inputs);
        Path dir = target.toAbsolutePath().getParent();
        this.temporary = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        this.channel = FileChannel.open(temporary, StandardOpenOption.WRITE);
    }

    /** Starts writing {@code target}; fails at once if it is one of {@code inputs}. */
    static OutputFile create(Path target, Path... inputs) throws IOException {
        return new OutputFile(target, inputs);
    }

    /**
     * Fails with a message naming both paths if {@code output} is the same file as one of
     * {@code inputs}: the same path, or a symbolic or hard link to it (same device and inode).
     */
    static void refuseInputs(Path output, Path... inputs) throws IOException {
        if (!Files.exists(output)) {
            return;
        }
        for (Path input : inputs) {
            boolean same;
            try {
                same = Files.isSameFile(output, input);
            } catch (NoSuchFileException e) {
                continue;
            }
            if (same) {
                throw new IllegalArgumentException("refusing to write '" + output + "': it is the input file '" + input
                        + "'" + (output.equals(input) ? "" : " (through a link)") + "; choose another output path");
            }
        }
    }

    /**
     * Fails with a message naming {@code option} and the path when {@code output} cannot be
     * written: its directory is missing, not a directory or not writable, or it is a directory.
     * (Checked before a command's work starts; writing itself may still fail, e.g. a full disk.)
     */
    static void refuseUnwritable(Path output, String option) {
        Path dir = output.toAbsolutePath().getParent();
        String what = "cannot write " + option + " '" + output + "': ";
        if (Files.isDirectory(output)) {
            throw new IllegalArgumentException(what + "it is a directory");
        }
        if (dir == null || !Files.exists(dir)) {
            throw new IllegalArgumentException(what + "directory '" + dir + "' does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(what + "'" + dir + "' is not a directory");
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException(what + "directory '" + dir + "' is not writable");
        }
    }

    FileChannel channel() {
        return channel;
    }

    /** Makes the written bytes the target file (checking the target again: it may have become a link). */
    void commit() throws IOException {
        channel.force(false);
        channel.close();
        refuseInputs(target, inputs);
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
        committed = true;
    }

    /** Without a commit, drops the temporary file. */
    @Override
    public void close() throws IOException {
        if (!committed) {
            channel.close();
            Files.deleteIfExists(temporary);
        }
    }
}
