// The compute backends by name. Adding a backend is a class implementing backend::Backend and
// an entry in backend_table.cpp.
#pragma once

#include <string>
#include <vector>

#include "backend/backend.h"

namespace lamina::backend {

// The backend of that name (created on first use, then shared), or nullptr.
const Backend *find_backend(const std::string &name);
// The backend models use unless told otherwise: the table's first.
const Backend &default_backend();
// Every name in the table, in its order.
std::vector<std::string> backend_names();

}  // namespace lamina::backend
