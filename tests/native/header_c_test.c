/* Compiles lamina.h as strict C11 and calls the functions that need no file. */
#include "lamina.h"

#include <stdio.h>
#include <string.h>

int main(void) {
    lm_model_params mp = lm_model_default_params();
    lm_session_params sp = lm_session_default_params();
    lm_model *model = NULL;
    lm_sampler *sampler = NULL;
    (void)sp;
    if (lm_sampler_new(NULL, 42, &sampler) != LM_OK || lm_sampler_add(sampler, "top_k k=1") != LM_OK) {
        fprintf(stderr, "sampler chain: %s\n", lm_last_error());
        return 1;
    }
    lm_sampler_free(sampler);
    if (lm_model_load("/nonexistent/lamina-header-test.gguf", mp, &model) != LM_ERR_IO) {
        fprintf(stderr, "expected LM_ERR_IO for a missing file\n");
        return 1;
    }
    if (model != NULL || strstr(lm_last_error(), "lamina-header-test.gguf") == NULL) {
        fprintf(stderr, "error message does not name the file: %s\n", lm_last_error());
        return 1;
    }
    printf("lamina %s, cpu %s: %s\n", lm_version(), lm_cpu_variant(), lm_status_name(LM_OK));
    return 0;
}
