package dev.lamina.template;

import java.util.LinkedHashMap;
import java.util.Map;

/** The mutable object made by {@code namespace(...)}: the only thing {@code set a.b = ...} may change. */
final class Namespace {
    final Map<String, Object> attrs = new LinkedHashMap<>();
}
