#include "backend/backend_table.h"

#include "cpu/cpu_backend.h"

namespace lamina::backend {
namespace {

struct Entry {
    const char *name;
    const Backend &(*get)();
};

const Backend &cpu_backend() {
    // The kernels of the variant this process runs (LAMINA_CPU may force one).
    static const cpu::CpuBackend backend(cpu::active_variant());
    return backend;
}

constexpr Entry kBackends[] = {
    {"cpu", cpu_backend},
};

}  // namespace

const Backend *find_backend(const std::string &name) {
    for (const Entry &e : kBackends) {
        if (name == e.name) return &e.get();
    }
    return nullptr;
}

const Backend &default_backend() { return kBackends[0].get(); }

std::vector<std::string> backend_names() {
    std::vector<std::string> names;
    for (const Entry &e : kBackends) names.emplace_back(e.name);
    return names;
}

}  // namespace lamina::backend
