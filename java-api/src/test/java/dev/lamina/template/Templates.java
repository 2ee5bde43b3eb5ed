package dev.lamina.template;

import java.util.List;

/** Shared by the template tests: renders a template with no messages and default options. */
final class Templates {
    private Templates() {}

    static String render(String template) {
        return ChatTemplate.parse(template).render(List.of(), RenderOptions.defaults());
    }
}
