#include "convert/tensor_converter.h"

#include <algorithm>
#include <string>

#include "common/error.h"
#include "quant/quantize.h"

namespace lamina {

void convert_rows(GgmlType type, int64_t n_rows, int64_t n_per_row, const RowSource &source, ThreadPool &pool,
                  std::vector<uint8_t> &dst) {
    const size_t row_bytes = quant::row_bytes(type, n_per_row);
    if (!quant::can_quantize(type) || row_bytes == 0) {
        const TypeGeometry g = type_geometry(static_cast<uint32_t>(type));
        fail(LM_ERR_UNSUPPORTED, std::string("cannot write rows of ") + std::to_string(n_per_row) + " elements as " +
                                     (g.name ? g.name : "unknown type"));
    }
    dst.resize(row_bytes * static_cast<size_t>(n_rows));
    // Chunks of rows bound the float scratch (a 128k-token embedding is 2 GB as floats).
    const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 20) / n_per_row);
    pool.for_each_chunk(n_rows, chunk, [&](int64_t r0, int64_t r1, int) {
        std::vector<float> rows(static_cast<size_t>((r1 - r0) * n_per_row));
        source(r0, r1, rows.data());
        quant::quantize(type, rows.data(), dst.data() + static_cast<size_t>(r0) * row_bytes, r1 - r0, n_per_row);
    });
}

}  // namespace lamina
