import dev.lamina.Lamina;

/**
 * Loads the native library from the jars on the class path and calls into it; needs no model.
 * The release workflow runs it on each OS: java -cp <lamina jar><sep><native jar> LoadSmoke.java
 */
public class LoadSmoke {
    public static void main(String[] args) {
        System.out.println("library " + Lamina.libraryPath());
        System.out.println("version " + Lamina.nativeVersion() + ", CPU variant " + Lamina.cpuVariant());
        System.out.println("architectures " + Lamina.supportedArchitectures());
    }
}
