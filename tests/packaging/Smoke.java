import dev.lamina.GenerationOptions;
import dev.lamina.Lamina;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.nio.file.Path;

/**
 * Greedy generation through the published jars alone, run by tests/packaging/test-artifacts.sh
 * with the source launcher: java -cp <jars> Smoke.java MODEL PROMPT N.
 * Prints the library path on stderr and the generated text on stdout.
 */
public class Smoke {
    public static void main(String[] args) {
        try (Model model = Model.load(Path.of(args[0]));
             Session session = model.newSession(SessionOptions.defaults())) {
            System.err.println("library: " + Lamina.libraryPath());
            session.generate(args[1], GenerationOptions.greedy().maxTokens(Integer.parseInt(args[2])))
                   .forEach(token -> System.out.print(token.text()));
            System.out.println();
        }
    }
}
