// Persistent instance-number maps and path translation (mapping.md §2.2).
#include "proxier/proxy/instance_map.h"

#include "proxier/common/text.h"

namespace proxier::proxy {
namespace {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t p = s.find(sep, start);
    if (p == std::string_view::npos) {
      out.emplace_back(s.substr(start));
      break;
    }
    out.emplace_back(s.substr(start, p - start));
    start = p + 1;
  }
  return out;
}

// (k+1 for the largest index would wrap to 0: it starts the search at the largest number.)
uint32_t Preferred(uint32_t k, bool bbf) {
  if (k == UINT32_MAX) return k;
  return bbf ? k + 1 : (k >= 1 ? k : k + 1);
}

// An instance segment as a number; nullopt when it does not fit 32 bits.
std::optional<uint32_t> Index(const std::string& seg) {
  if (seg.size() > 10) return std::nullopt;
  uint64_t v = std::stoull(seg);
  if (v > UINT32_MAX) return std::nullopt;
  return static_cast<uint32_t>(v);
}

}  // namespace

Result<std::unique_ptr<InstanceMap>> InstanceMap::Open(Db& db, std::string udn) {
  PX_RETURN_IF_ERROR(
      Migrate(db, "proxy_instance",
              {"CREATE TABLE proxy_instance(udn TEXT NOT NULL, tbl TEXT NOT NULL, "
               "cwmp INTEGER NOT NULL, upnp INTEGER, PRIMARY KEY(udn, tbl, cwmp))"}));
  std::unique_ptr<InstanceMap> m(new InstanceMap(db, std::move(udn)));
  auto st = db.Prepare("SELECT tbl, cwmp, upnp FROM proxy_instance WHERE udn=?");
  if (!st.ok()) return st.status();
  st->Bind(0, m->udn_);
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Table& t = m->tables_[st->ColumnText(0)];
    auto n = static_cast<uint32_t>(st->ColumnInt(1));
    t.used.insert(n);
    if (!st->ColumnIsNull(2)) {
      auto k = static_cast<uint32_t>(st->ColumnInt(2));
      t.by_upnp[k] = n;
      t.by_cwmp[n] = k;
      ++m->live_;
    }
  }
  return m;
}

Status InstanceMap::Store(const std::string& table, uint32_t n, std::optional<uint32_t> k) {
  auto st =
      db_.Prepare("INSERT OR REPLACE INTO proxy_instance(udn, tbl, cwmp, upnp) VALUES(?,?,?,?)");
  if (!st.ok()) return st.status();
  st->Bind(0, udn_).Bind(1, table).Bind(2, static_cast<int64_t>(n));
  if (k) {
    st->Bind(3, static_cast<int64_t>(*k));
  } else {
    st->BindNull(3);
  }
  return st->Run();
}

Result<uint32_t> InstanceMap::ToCwmp(const std::string& table, uint32_t k, bool bbf) {
  Table& t = tables_[table];
  auto it = t.by_upnp.find(k);
  if (it != t.by_upnp.end()) return it->second;
  if (live_ >= max_live_) {
    return Status(Code::kResourcesExceeded,
                  "device " + udn_ + " has " + std::to_string(live_) + " instances already");
  }
  uint32_t n = Preferred(k, bbf);
  while (t.used.count(n)) {
    if (n == UINT32_MAX) return Status(Code::kResourcesExceeded, "instance numbers exhausted");
    ++n;
  }
  PX_RETURN_IF_ERROR(Store(table, n, k));
  t.used.insert(n);
  t.by_upnp[k] = n;
  t.by_cwmp[n] = k;
  ++live_;
  return n;
}

std::optional<uint32_t> InstanceMap::ToUpnp(const std::string& table, uint32_t n, bool bbf) const {
  auto t = tables_.find(table);
  if (t != tables_.end()) {
    auto it = t->second.by_cwmp.find(n);
    if (it != t->second.by_cwmp.end()) return it->second;
    if (t->second.used.count(n)) return std::nullopt;  // retired
  }
  if (n == 0) return std::nullopt;
  uint32_t k = bbf ? n - 1 : n;
  if (t != tables_.end() && t->second.by_upnp.count(k)) return std::nullopt;
  return k;
}

Status InstanceMap::Forget(const std::string& table, uint32_t k) {
  auto t = tables_.find(table);
  if (t == tables_.end()) return Status::Ok();
  auto it = t->second.by_upnp.find(k);
  if (it == t->second.by_upnp.end()) return Status::Ok();
  PX_RETURN_IF_ERROR(Store(table, it->second, std::nullopt));
  t->second.by_cwmp.erase(it->second);
  t->second.by_upnp.erase(it);
  --live_;
  return Status::Ok();
}

Status InstanceMap::ForgetBelow(const std::string& upnp_row) {
  for (auto& [table, t] : tables_) {
    if (!table.starts_with(upnp_row)) continue;
    for (auto& [k, n] : t.by_upnp) PX_RETURN_IF_ERROR(Store(table, n, std::nullopt));
    live_ -= t.by_upnp.size();
    t.by_upnp.clear();
    t.by_cwmp.clear();
  }
  return Status::Ok();
}

Result<std::string> InstanceMap::ToUpnpPath(const Mount& m, const std::string& name) const {
  if (!name.starts_with(m.cwmp)) {
    return Status(Code::kInvalidParameterName, name + " is not under " + m.cwmp);
  }
  std::string out = m.upnp;
  const std::string rest = name.substr(m.cwmp.size());
  if (rest.empty()) return out;
  auto segs = Split(rest, '.');
  for (size_t i = 0; i < segs.size(); ++i) {
    const std::string& seg = segs[i];
    const bool last = i + 1 == segs.size();
    if (last && seg.empty()) break;  // partial path: out already ends with '/'
    if (seg.empty()) return Status(Code::kInvalidParameterName, "empty segment in " + name);
    if (IsDigits(seg)) {
      auto number = Index(seg);
      auto k = number ? ToUpnp(out, *number, m.bbf) : std::nullopt;
      if (!k) return Status(Code::kInvalidParameterName, "no such instance: " + name);
      out += std::to_string(*k);
    } else if (seg.size() > 1 && seg[0] == '_' && seg[1] >= '0' && seg[1] <= '9') {
      out += seg.substr(1);
    } else {
      out += seg;
    }
    if (!last) out += '/';
  }
  return out;
}

Result<std::string> InstanceMap::ToCwmpName(const Mount& m, const std::string& path) {
  if (!path.starts_with(m.upnp)) {
    return Status(Code::kInvalidParameterName, path + " is not under " + m.upnp);
  }
  std::string out = m.cwmp;
  std::string table = m.upnp;
  const std::string rest = path.substr(m.upnp.size());
  if (rest.empty()) return out;
  auto segs = Split(rest, '/');
  for (size_t i = 0; i < segs.size(); ++i) {
    const std::string& seg = segs[i];
    const bool last = i + 1 == segs.size();
    if (last && seg.empty()) break;
    if (seg.empty()) return Status(Code::kInvalidParameterName, "empty segment in " + path);
    if (IsDigits(seg)) {
      auto index = Index(seg);
      if (!index) return Status(Code::kInvalidParameterName, "instance out of range: " + path);
      auto n = ToCwmp(table, *index, m.bbf);
      if (!n.ok()) return n.status();
      out += std::to_string(*n);
    } else {
      const std::string name = seg[0] >= '0' && seg[0] <= '9' ? "_" + seg : seg;
      if (!IsNameSegment(name)) {
        return Status(Code::kInvalidParameterName,
                      "'" + text::CleanLabel(seg, 64) + "' is no CWMP name (in a device path)");
      }
      out += name;
    }
    if (out.size() > kMaxNameLength) {
      return Status(Code::kInvalidParameterName,
                    "name longer than " + std::to_string(kMaxNameLength) + " bytes");
    }
    table += seg;
    if (!last) {
      out += '.';
      table += '/';
    }
  }
  return out;
}

}  // namespace proxier::proxy
