// ProxyProvider: SetParameterValues (validation, virtual apply, embedded delivery with retries),
// AddObject and DeleteObject.
#include "proxier/common/log.h"
#include "proxier/datamodel/path.h"
#include "proxier/datamodel/value.h"
#include "proxier/proxy/proxy_provider.h"

namespace proxier::proxy {

using datamodel::ParamFault;
using datamodel::SetItem;
namespace cms = upnp::cms;

void ProxyProvider::ValidateSet(const std::vector<SetItem>& items,
                                std::function<void(std::vector<ParamFault>)> done) {
  // Parameters we know nothing about yet (e.g. in a row created meanwhile), or never read (an
  // instance the device may not have, mapped by the preferred rule): ask the device. Offline,
  // the stored metadata decides.
  std::vector<std::string> unknown;
  for (const auto& item : items) {
    auto p = ToUpnp(item.name);
    if (p.ok() && !datamodel::IsPartialPath(item.name) &&
        (!Meta(StructureOf(*p)) || !cache_.count(item.name))) {
      unknown.push_back(*p);
    }
  }
  if (unknown.empty() || !port_.Online()) return ValidateItems(items, std::move(done));
  // `missing`: asked paths the device answered 703 for (-> 9005, nothing else checked).
  auto finish = [this, alive = Alive(), items, done](const std::set<std::string>& missing) {
    std::vector<ParamFault> faults;
    if (!alive()) {
      for (const auto& i : items) faults.push_back({i.name, Status(Code::kInternalError, "gone")});
      return done(std::move(faults));
    }
    std::vector<SetItem> present;
    for (const auto& item : items) {
      auto p = ToUpnp(item.name);
      if (p.ok() && missing.count(*p)) {
        faults.push_back(
            {item.name, Status(Code::kInvalidParameterName, "no such parameter: " + item.name)});
      } else {
        present.push_back(item);
      }
    }
    ValidateItems(present, [faults, done](std::vector<ParamFault> more) mutable {
      for (auto& f : more) faults.push_back(std::move(f));
      done(std::move(faults));
    });
  };
  port_.GetAttributes(unknown, [this, alive = Alive(), unknown,
                                finish](upnp::Reply<std::vector<cms::NodeAttributes>> r) {
    if (!alive() || r.ok() || r.upnp_error != 703) {
      if (alive() && r.ok()) MergeAttributes(r.value);
      return finish({});
    }
    if (unknown.size() == 1) return finish({unknown[0]});
    // 703 for the batch: find the culprit(s) one path at a time.
    auto left = std::make_shared<size_t>(unknown.size());
    auto missing = std::make_shared<std::set<std::string>>();
    for (const auto& p : unknown) {
      port_.GetAttributes({p}, [this, alive, p, left, missing,
                                finish](upnp::Reply<std::vector<cms::NodeAttributes>> one) {
        if (alive() && one.ok()) MergeAttributes(one.value);
        if (!one.ok() && one.upnp_error == 703) missing->insert(p);
        if (--*left == 0) finish(*missing);
      });
    }
  });
}

void ProxyProvider::ValidateItems(const std::vector<SetItem>& items,
                                  std::function<void(std::vector<ParamFault>)> done) {
  std::vector<ParamFault> faults;
  for (const auto& item : items) {
    auto p = ToUpnp(item.name);
    if (!p.ok() || datamodel::IsPartialPath(item.name)) {
      faults.push_back(
          {item.name, Status(Code::kInvalidParameterName, "no such parameter: " + item.name)});
      continue;
    }
    const ParamMeta* meta = Meta(StructureOf(*p));
    if (!meta) {
      faults.push_back(
          {item.name, Status(Code::kInvalidParameterName, "no such parameter: " + item.name)});
      continue;
    }
    if (!meta->writable) {
      faults.push_back(
          {item.name, Status(Code::kNonWritableParameter, item.name + " is not writable")});
      continue;
    }
    auto v =
        datamodel::CheckValue(item.name, SyntaxOf(item.name, *p), item.value, item.declared_type);
    if (!v.ok()) faults.push_back({item.name, v.status()});
  }
  done(std::move(faults));
}

Result<cms::ParameterValue> ProxyProvider::Translate(const SetItem& item) const {
  auto p = ToUpnp(item.name);
  if (!p.ok()) return p.status();
  auto syntax = SyntaxOf(item.name, *p);
  auto v = datamodel::CheckValue(item.name, syntax, item.value, item.declared_type);
  if (!v.ok()) return v.status();
  return cms::ParameterValue{*p, ToUpnpValue(syntax.type, *v)};
}

void ProxyProvider::ApplySet(const std::vector<SetItem>& items, Done<int> done) {
  std::vector<cms::ParameterValue> values;
  for (const auto& item : items) {
    auto pv = Translate(item);
    if (!pv.ok()) return done(pv.status());
    values.push_back(std::move(pv).value());
  }
  if (!options_.virtual_mode) {
    Status st = Enqueue(std::move(values));
    if (!st.ok()) return done(st);
    done(1);
    loop_.Post([this, alive = Alive()] {
      if (alive()) Deliver();
    });
    return;
  }
  if (!port_.Online()) return done(Status(Code::kInternalError, "device " + udn_ + " offline"));
  port_.SetValues(values, [this, alive = Alive(), values, done](upnp::Reply<std::string> r) {
    if (!alive()) return done(Status(Code::kInternalError, "device detached"));
    if (!r.ok()) return done(FaultFromUpnp(r.upnp_error, r.status, FaultContext::kSet));
    for (const auto& pv : values) {
      auto v = FromDevice(pv);
      if (v.ok()) CachePut(*v);
    }
    last_sync_ = loop_.clock().WallNow();
    done(r.value == "ChangesCommitted" ? 1 : 0);
  });
}

Status ProxyProvider::Enqueue(std::vector<cms::ParameterValue> values) {
  auto payload = cms::EncodeParameterValueList(values);
  if (!payload.ok()) return payload.status();
  auto st = db_.Prepare("INSERT INTO proxy_command(udn, payload, tries) VALUES(?,?,0)");
  if (!st.ok()) return st.status();
  st->Bind(0, udn_).Bind(1, *payload);
  PX_RETURN_IF_ERROR(st->Run());
  commands_.push_back({db_.LastInsertRowId(), std::move(values), 0});
  Report("Pending", "");
  return Status::Ok();
}

void ProxyProvider::Report(const std::string& state, const std::string& message) {
  if (on_command_) on_command_(state, message);
}

Status ProxyProvider::DropHead() {
  if (commands_.empty()) return Status::Ok();
  auto st = db_.Prepare("DELETE FROM proxy_command WHERE id=?");
  if (!st.ok()) return st.status();
  st->Bind(0, commands_.front().id);
  commands_.pop_front();
  return st->Run();
}

void ProxyProvider::Deliver() {
  if (delivering_ || commands_.empty() || retry_timer_) return;
  if (!port_.Online()) {
    Report("Retrying", "device offline; delivery when it returns");
    return;
  }
  delivering_ = true;
  port_.SetValues(commands_.front().values, [this, alive = Alive()](upnp::Reply<std::string> r) {
    if (!alive()) return;
    Delivered(r);
  });
}

void ProxyProvider::Delivered(const upnp::Reply<std::string>& r) {
  delivering_ = false;
  if (commands_.empty()) return;
  Command& head = commands_.front();
  if (r.ok()) {
    for (const auto& pv : head.values) {
      auto v = FromDevice(pv);
      if (v.ok()) CachePut(*v);
    }
    last_sync_ = loop_.clock().WallNow();
    Status st = DropHead();
    if (!st.ok()) PX_LOG(kError, "proxy") << udn_ << ": " << st;
    if (commands_.empty()) {
      Report("Success", "");
    } else {
      Deliver();
    }
    return;
  }
  const std::string why = r.status.message();
  ++head.tries;
  if (IsRetryable(r.upnp_error, r.status) && head.tries < options_.max_tries) {
    auto st = db_.Prepare("UPDATE proxy_command SET tries=? WHERE id=?");
    if (st.ok()) {
      st->Bind(0, int64_t{head.tries}).Bind(1, head.id);
      (void)st->Run();
    }
    Millis delay = options_.retry_base * (1 << std::min(head.tries - 1, 10));
    PX_LOG(kInfo, "proxy") << udn_ << ": delivery " << head.tries << " failed (" << why
                           << "), again in " << delay.count() << " ms";
    Report("Retrying", "attempt " + std::to_string(head.tries) + ": " + why);
    retry_timer_ = loop_.RunAfter(delay, [this, alive = Alive()] {
      if (!alive()) return;
      retry_timer_.reset();
      Deliver();
    });
    return;
  }
  PX_LOG(kWarning, "proxy") << udn_ << ": command dropped after " << head.tries
                            << " attempt(s): " << why;
  Report("Error", why + " (after " + std::to_string(head.tries) + " attempt(s))");
  Status st = DropHead();
  if (!st.ok()) PX_LOG(kError, "proxy") << udn_ << ": " << st;
  Deliver();
}

void ProxyProvider::AddObject(const std::string& table, Done<datamodel::AddResult> done) {
  auto node = ToUpnp(table);
  if (!node.ok() || !datamodel::IsPartialPath(table)) {
    return done(Status(Code::kInvalidParameterName, "no such table: " + table));
  }
  const std::string table_node = *node;
  // A fixed table is refused here, before the device is asked (cwmp.md: 9005 for an object
  // that is not a writable table). Unknown access: the device decides (docs/UPNP.md).
  const std::string table_structure = StructureOf(table_node) + "#/";
  if (AccessOf(table_structure) == TableAccess::kFixed) {
    return done(Status(Code::kInvalidParameterName, "not a writable table: " + table));
  }
  if (!port_.Online()) return done(Status(Code::kInternalError, "device " + udn_ + " offline"));
  auto finish = [this, alive = Alive(), table, table_node, table_structure,
                 done](upnp::Reply<upnp::CreateInstanceResult> r) {
    if (!alive()) return done(Status(Code::kInternalError, "device detached"));
    if (!r.ok()) return done(FaultFromUpnp(r.upnp_error, r.status, FaultContext::kAddDelete));
    LearnWritable(table_structure);  // the device accepted: a table of unknown access is writable
    std::string path = r.value.instance_path;
    if (!path.empty() && path.back() == '/') path.pop_back();
    const std::string index = path.substr(path.rfind('/') + 1);
    if (!path.starts_with(table_node) || !IsDigits(index) || index.size() > 9) {
      return done(Status(Code::kInternalError, "device answered instance " + path));
    }
    const Mount* m = MountOfUpnp(table_node);
    auto n = map_.ToCwmp(table_node, static_cast<uint32_t>(std::stoul(index)), m && m->bbf);
    if (!n.ok()) return done(n.status());
    datamodel::AddResult result;
    result.instance = *n;
    result.status = r.value.status == "ChangesCommitted" ? 1 : 0;
    last_sync_ = loop_.clock().WallNow();
    done(result);
  };
  // MultiInstanceName "…/Y/#/" first; a device answering 701 gets "…/Y/" (mapping.md §4).
  port_.CreateInstance(
      table_node + "#/", {},
      [this, alive = Alive(), table_node, finish](upnp::Reply<upnp::CreateInstanceResult> r) {
        if (alive() && !r.ok() && r.upnp_error == 701) {
          return port_.CreateInstance(table_node, {}, finish);
        }
        finish(std::move(r));
      });
}

void ProxyProvider::DeleteObject(const std::string& row, Done<datamodel::DeleteResult> done) {
  auto path = ToUpnp(row);
  if (!path.ok() || !datamodel::IsPartialPath(row)) {
    return done(Status(Code::kInvalidParameterName, "no such row: " + row));
  }
  const std::string upnp_row = *path;
  const std::string table_structure = StructureOf(upnp_row);  // "/A/3/" -> "/A/#/"
  if (table_structure.ends_with("#/") && AccessOf(table_structure) == TableAccess::kFixed) {
    return done(Status(Code::kInvalidParameterName, "not a row of a writable table: " + row));
  }
  if (!port_.Online()) return done(Status(Code::kInternalError, "device " + udn_ + " offline"));
  port_.DeleteInstance(upnp_row, [this, alive = Alive(), row, upnp_row, table_structure,
                                  done](upnp::Reply<std::string> r) {
    if (!alive()) return done(Status(Code::kInternalError, "device detached"));
    if (!r.ok()) return done(FaultFromUpnp(r.upnp_error, r.status, FaultContext::kAddDelete));
    if (table_structure.ends_with("#/")) LearnWritable(table_structure);
    std::string trimmed = upnp_row.substr(0, upnp_row.size() - 1);
    size_t slash = trimmed.rfind('/');
    const std::string table = trimmed.substr(0, slash + 1);
    const std::string index = trimmed.substr(slash + 1);
    Status st = map_.ForgetBelow(upnp_row);
    if (st.ok() && IsDigits(index) && index.size() <= 9) {
      st = map_.Forget(table, static_cast<uint32_t>(std::stoul(index)));
    }
    if (!st.ok()) return done(st);
    CacheEraseUnder(row);
    for (auto it = notified_.lower_bound(row);
         it != notified_.end() && it->first.starts_with(row);) {
      it = notified_.erase(it);
    }
    datamodel::DeleteResult result;
    result.status = r.value == "ChangesCommitted" ? 1 : 0;
    done(result);
  });
}

}  // namespace proxier::proxy
