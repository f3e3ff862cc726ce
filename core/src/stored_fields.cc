// Stored operation bodies (see stored_fields.h).
#include "proxier/core/stored_fields.h"

namespace proxier::core {

std::string EncodeFields(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    out += k + "=";
    for (char c : v)
      out += c == '\n' ? std::string("\\n") : c == '\\' ? std::string("\\\\") : std::string(1, c);
    out += "\n";
  }
  return out;
}

std::map<std::string, std::string> DecodeFields(const std::string& text) {
  std::map<std::string, std::string> f;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(start, nl - start);
    const auto eq = line.find('=');
    if (eq != std::string::npos) {
      std::string v;
      for (size_t i = eq + 1; i < line.size(); ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          v += line[i + 1] == 'n' ? '\n' : line[i + 1];
          ++i;
        } else {
          v += line[i];
        }
      }
      f[line.substr(0, eq)] = v;
    }
    start = nl + 1;
  }
  return f;
}

std::string FieldOf(const std::map<std::string, std::string>& fields, const std::string& key) {
  auto it = fields.find(key);
  return it == fields.end() ? std::string() : it->second;
}

}  // namespace proxier::core
