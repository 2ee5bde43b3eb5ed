package dev.lamina;

import java.nio.file.Path;

/**
 * A chat was started on a model whose file has no chat template (metadata
 * {@code tokenizer.chat_template}) and the caller supplied none.
 */
public class NoChatTemplateException extends LaminaException {
    private static final long serialVersionUID = 1L;

    public NoChatTemplateException(Path file) {
        super(Status.INVALID_ARGUMENT, "model " + file + " has no chat template (metadata "
                + Model.CHAT_TEMPLATE_KEY + " is absent); supply one (Chat.Builder.template,"
                + " or --chat-template FILE.jinja on the command line)", file);
    }
}
