package dev.lamina.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * Finds and loads liblamina exactly once per class loader, before any binding in
 * {@code dev.lamina.bindings} is used (the generated bindings resolve symbols through
 * {@link java.lang.foreign.SymbolLookup#loaderLookup()}, i.e. the libraries this class loader loaded).
 *
 * <p>Search order, first success wins:
 * <ol>
 *   <li>system property {@code lamina.library.path}: the library file itself, or a directory holding it;</li>
 *   <li>each directory of {@code java.library.path};</li>
 *   <li>the copy in a native jar on the class path ({@code dev.lamina:lamina:<version>:<os>-<arch>},
 *       resource {@code native/<os>-<arch>/liblamina.so}, see {@link NativePlatform}), extracted into a
 *       per-user, per-version cache directory
 *       ({@code ${java.io.tmpdir}/lamina-<user>/<version>-<sha256 prefix>/}) by writing a temporary
 *       file and renaming it atomically, so concurrent JVMs never see a half-written library.</li>
 * </ol>
 * When every candidate fails, the exception lists each path tried and why it failed, what was
 * detected about the machine and what to do ({@link LoadFailureMessage}).
 */
public final class NativeLibrary {
    /** System property naming the library file or the directory that holds it. */
    public static final String PATH_PROPERTY = "lamina.library.path";

    private static final String LIBRARY_FILE = System.mapLibraryName("lamina");
    private static volatile Path loadedFrom;

    private NativeLibrary() {}

    /** Loads the library if this class loader has not yet; returns the file it was loaded from. */
    public static Path load() {
        Path path = loadedFrom;
        if (path != null) {
            return path;
        }
        synchronized (NativeLibrary.class) {
            if (loadedFrom == null) {
                Path loaded = locateAndLoad();
                checkHeaderDigest(loaded);
                loadedFrom = loaded;
            }
            return loadedFrom;
        }
    }

    /**
     * Refuses a library built from another lamina.h than the bindings: its structs and functions
     * could differ, and calling it would crash the JVM instead of failing.
     */
    private static void checkHeaderDigest(Path library) {
        String expected = dev.lamina.bindings.LaminaHeaderDigest.SHA256;
        String actual;
        try {
            actual = dev.lamina.bindings.lamina_h.lm_header_digest().reinterpret(65).getString(0);
        } catch (LinkageError | RuntimeException e) {
            actual = "none (it has no lm_header_digest: " + e + ")";
        }
        if (!expected.equals(actual)) {
            throw new UnsatisfiedLinkError("The Lamina native library " + library
                    + " was built from another lamina.h than these Java bindings (library header digest "
                    + actual + ", bindings " + expected + "). Rebuild both from one checkout, or point -D"
                    + PATH_PROPERTY + " at the matching library.");
        }
    }

    /** The platform directory name used inside the jar, e.g. {@code linux-x86_64}. */
    public static String platform() {
        return NativePlatform.current();
    }

    private static Path locateAndLoad() {
        List<String> tried = new ArrayList<>();

        String explicit = System.getProperty(PATH_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            Path candidate = Files.isDirectory(p) ? p.resolve(LIBRARY_FILE) : p;
            Path ok = tryLoad(candidate, "-D" + PATH_PROPERTY, tried);
            if (ok != null) {
                return ok;
            }
        }

        String libraryPath = System.getProperty("java.library.path", "");
        for (String dir : libraryPath.split(java.io.File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir).resolve(LIBRARY_FILE);
            if (Files.exists(candidate)) {
                Path ok = tryLoad(candidate, "java.library.path", tried);
                if (ok != null) {
                    return ok;
                }
            } else {
                tried.add(candidate + " (java.library.path): not found");
            }
        }

        String platform = platform();
        String resource = NativePlatform.resource(platform);
        URL url = findResource(resource);
        if (url == null) {
            tried.add("jar resource " + resource + ": not on the class path (no native jar for " + platform + ")");
        } else {
            try {
                Path extracted = extractResource(url, tried);
                if (extracted != null) {
                    Path ok = tryLoad(extracted, "extracted from jar resource " + url, tried);
                    if (ok != null) {
                        return ok;
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                tried.add("jar resource " + url + ": extraction failed: " + e.getMessage());
            }
        }
        throw new UnsatisfiedLinkError(LoadFailureMessage.compose(LIBRARY_FILE, platform, tried, url != null,
                otherPlatformsOnClassPath(platform), version()));
    }

    /**
     * The resource through the class loaders that may see the native jar: this class's (which
     * also finds it in another named module, since {@code native/<os>-<arch>} is no package and
     * so is not encapsulated), the thread's context loader and the system loader.
     */
    private static URL findResource(String resource) {
        Set<ClassLoader> loaders = new LinkedHashSet<>();
        for (ClassLoader l : new ClassLoader[] {NativeLibrary.class.getClassLoader(),
                Thread.currentThread().getContextClassLoader(), ClassLoader.getSystemClassLoader()}) {
            if (l != null) {
                loaders.add(l);
            }
        }
        for (ClassLoader loader : loaders) {
            URL url = loader.getResource(resource);
            if (url != null) {
                return url;
            }
        }
        return null;
    }

    /** The shipped platforms whose native jar is on the class path although this is not one of them. */
    private static List<String> otherPlatformsOnClassPath(String platform) {
        List<String> found = new ArrayList<>();
        for (String other : NativePlatform.SHIPPED) {
            if (!other.equals(platform) && findResource(NativePlatform.resource(other)) != null) {
                found.add(other);
            }
        }
        return found;
    }

    private static Path tryLoad(Path candidate, String source, List<String> tried) {
        Path absolute = candidate.toAbsolutePath();
        if (!Files.isRegularFile(absolute)) {
            tried.add(absolute + " (" + source + "): not found");
            return null;
        }
        try {
            System.load(absolute.toString());
            return absolute;
        } catch (UnsatisfiedLinkError e) {
            tried.add(absolute + " (" + source + "): " + e.getMessage());
            return null;
        }
    }

    /** Copies the bundled library into the cache directory unless an identical copy is already there. */
    private static Path extractResource(URL resource, List<String> tried) throws IOException {
        byte[] bytes;
        try (InputStream in = resource.openStream()) {
            bytes = in.readAllBytes();
        }
        String hash = sha256(bytes).substring(0, 16);
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        Path userDir = Path.of(System.getProperty("java.io.tmpdir"), "lamina-" + user);
        Path versionDir = userDir.resolve(version() + "-" + hash);
        createPrivateDirectory(userDir);
        createPrivateDirectory(versionDir);

        Path target = versionDir.resolve(LIBRARY_FILE);
        if (Files.isRegularFile(target) && Files.size(target) == bytes.length
                && sha256(Files.readAllBytes(target)).startsWith(hash)) {
            return target; // extracted earlier by this or another JVM of the same user
        }
        // A unique temp name in the same directory, then an atomic rename: readers see either
        // no file or the complete one; we delete only our own temp file.
        Path temp = Files.createTempFile(versionDir, LIBRARY_FILE + ".", ".tmp");
        try {
            Files.write(temp, bytes);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        if (!sha256(Files.readAllBytes(target)).startsWith(hash)) {
            tried.add(target + ": extracted copy does not match the jar resource");
            return null;
        }
        return target;
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            // another JVM created it in between; fine
        }
    }

    /** The version of this build, as in the name of the Maven artifacts. */
    static String version() {
        try (InputStream in = NativeLibrary.class.getResourceAsStream("/dev/lamina/lamina-build.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("lamina.version");
                if (v != null && !v.isBlank() && !v.startsWith("${")) {
                    return v.replaceAll("[^A-Za-z0-9._-]", "_");
                }
            }
        } catch (IOException e) {
            // fall through: the hash alone still keeps versions apart
        }
        return "unknown";
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }
}
