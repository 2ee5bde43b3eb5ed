// The C ABI of LoRA adapters (lamina.h: "LoRA adapters").
#include <string>
#include <vector>

#include "api/abi_guard.h"
#include "api/handles.h"
#include "convert/synthesize_lora.h"
#include "lamina.h"
#include "model/lora_adapter.h"

using namespace lamina;

namespace {

const LoraAdapter &adapter_of(const lm_lora_adapter *a, const char *fn) {
    return *require(a, fn, "adapter")->impl;
}

Session &session_of(lm_session *s, const char *fn) { return *require(s, fn, "session")->impl; }

std::vector<std::string> split_targets(const char *list) {
    std::vector<std::string> out;
    std::string item;
    for (const char *p = list;; ++p) {
        if (*p == ',' || *p == '\0') {
            if (!item.empty()) out.push_back(item);
            item.clear();
            if (*p == '\0') break;
        } else if (*p != ' ') {
            item += *p;
        }
    }
    return out;
}

GgmlType adapter_type_of(const char *name) {
    const std::string t = require(name, "lm_lora_synthesize", "type");
    if (t == "F32" || t == "f32") return GgmlType::F32;
    if (t == "F16" || t == "f16") return GgmlType::F16;
    if (t == "Q8_0" || t == "q8_0") return GgmlType::Q8_0;
    fail(LM_ERR_INVALID_ARGUMENT, "lm_lora_synthesize: unknown adapter type '" + t + "' (known: F32, F16, Q8_0)");
}

}  // namespace

extern "C" {

LM_API lm_status lm_lora_adapter_load(const lm_model *model, const char *path, lm_lora_adapter **out_adapter) {
    return abi_guard("lm_lora_adapter_load", [&] {
        require(out_adapter, "lm_lora_adapter_load", "out_adapter");
        *out_adapter = nullptr;
        const Model &m = *require(model, "lm_lora_adapter_load", "model")->impl;
        require(path, "lm_lora_adapter_load", "path");
        auto a = std::make_unique<lm_lora_adapter>();
        a->impl = LoraAdapter::load(m, path);
        *out_adapter = a.release();
    });
}

LM_API void lm_lora_adapter_free(lm_lora_adapter *adapter) { delete adapter; }

LM_API lm_status lm_lora_adapter_alpha(const lm_lora_adapter *adapter, float *out_alpha) {
    return abi_guard("lm_lora_adapter_alpha", [&] {
        const LoraAdapter &a = adapter_of(adapter, "lm_lora_adapter_alpha");
        *require(out_alpha, "lm_lora_adapter_alpha", "out_alpha") = a.alpha();
    });
}

LM_API lm_status lm_lora_adapter_rank(const lm_lora_adapter *adapter, int64_t *out_rank) {
    return abi_guard("lm_lora_adapter_rank", [&] {
        const LoraAdapter &a = adapter_of(adapter, "lm_lora_adapter_rank");
        *require(out_rank, "lm_lora_adapter_rank", "out_rank") = a.rank();
    });
}

LM_API lm_status lm_lora_adapter_n_tensors(const lm_lora_adapter *adapter, int64_t *out_n) {
    return abi_guard("lm_lora_adapter_n_tensors", [&] {
        const LoraAdapter &a = adapter_of(adapter, "lm_lora_adapter_n_tensors");
        *require(out_n, "lm_lora_adapter_n_tensors", "out_n") = a.n_pairs();
    });
}

LM_API lm_status lm_session_set_lora(lm_session *session, const lm_lora_adapter *adapter, float scale) {
    return abi_guard("lm_session_set_lora", [&] {
        Session &s = session_of(session, "lm_session_set_lora");
        require(adapter, "lm_session_set_lora", "adapter");
        Session::Guard guard(s);
        s.set_lora(adapter->impl, scale);
    });
}

LM_API lm_status lm_session_remove_lora(lm_session *session, const lm_lora_adapter *adapter) {
    return abi_guard("lm_session_remove_lora", [&] {
        Session &s = session_of(session, "lm_session_remove_lora");
        const LoraAdapter &a = adapter_of(adapter, "lm_session_remove_lora");
        Session::Guard guard(s);
        if (!s.remove_lora(&a)) {
            fail(LM_ERR_INVALID_ARGUMENT, "lm_session_remove_lora: adapter '" + a.file().name() +
                                              "' is not set on this session");
        }
    });
}

LM_API lm_status lm_session_clear_lora(lm_session *session) {
    return abi_guard("lm_session_clear_lora", [&] {
        Session &s = session_of(session, "lm_session_clear_lora");
        Session::Guard guard(s);
        s.clear_lora();
    });
}

LM_API lm_status lm_session_n_lora(const lm_session *session, int32_t *out_n) {
    return abi_guard("lm_session_n_lora", [&] {
        const Session &s = *require(session, "lm_session_n_lora", "session")->impl;
        *require(out_n, "lm_session_n_lora", "out_n") = static_cast<int32_t>(s.loras().size());
    });
}

LM_API lm_lora_synthesize_params lm_lora_synthesize_default_params(void) {
    lm_lora_synthesize_params p{};
    p.targets = "attn_q,attn_v";
    p.type = "F32";
    p.rank = 8;
    p.alpha = 16.0f;
    p.seed = 1;
    return p;
}

LM_API lm_status lm_lora_synthesize(const char *base_path, const char *out_path, lm_lora_synthesize_params params) {
    return abi_guard("lm_lora_synthesize", [&] {
        require(base_path, "lm_lora_synthesize", "base_path");
        require(out_path, "lm_lora_synthesize", "out_path");
        LoraSynthesis o;
        o.targets = split_targets(require(params.targets, "lm_lora_synthesize", "targets"));
        o.type = adapter_type_of(params.type);
        o.rank = params.rank;
        o.alpha = params.alpha;
        o.seed = params.seed;
        synthesize_lora(base_path, out_path, o);
    });
}

}  // extern "C"
