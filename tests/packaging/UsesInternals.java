/** Must not compile against the dev.lamina module: dev.lamina.internal is not exported. */
public class UsesInternals {
    public static void main(String[] args) {
        System.out.println(dev.lamina.internal.NativeLibrary.platform());
    }
}
