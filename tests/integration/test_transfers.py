"""Download and Upload through the lab's file server, TransferComplete, the apply hooks."""
import os
import unittest

from harness import IntegrationTest, event_codes, reexecs

CONFIG_FILE = "3 Vendor Configuration File"
FIRMWARE = "1 Firmware Upgrade Image"


class TransferTest(IntegrationTest):
    def setUp(self):
        super().setUp()
        self.applied = self.path("applied")
        self.hook_out = self.path("hook-env")

    def start(self, **options):
        options.setdefault("hook_apply_config",
                           'cp "$PROXIER_FILE" %s && echo "$PROXIER_FILE_TYPE" > %s'
                           % (self.applied, self.hook_out))
        self.acs, self.px, _ = self.bootstrap(**options)
        return self.acs

    def put_file(self, name, data):
        with open(os.path.join(self.acs.files, name), "wb") as f:
            f.write(data)
        return self.acs.files_url + name

    def download(self, url, **fields):
        task = dict(name="Download", url=url, **fields)
        return self.acs.run_ok(task)

    def transfer_complete(self, count_before=0):
        transfers = self.acs.transfers(after=count_before, wait=30)
        self.assertEqual(len(transfers), count_before + 1, transfers)
        return transfers[-1]

    def test_vendor_config_download_is_applied_and_transfer_complete_sent(self):
        acs = self.start()
        body = b"[vendor]\nkey = value\n" * 50
        r = self.download(self.put_file("gw.cfg", body), file_type=CONFIG_FILE,
                          file_size=len(body), command_key="dl-cfg")
        self.assertEqual(r["status"], 1)  # TransferComplete follows
        tc = self.transfer_complete()
        self.assertEqual(tc["method"], "TransferComplete")
        self.assertEqual(tc["command_key"], "dl-cfg")
        self.assertEqual(tc["fault"]["code"], 0, tc)
        self.assertNotIn(tc["start_time"], ("", "0001-01-01T00:00:00Z"))
        self.assertNotIn(tc["complete_time"], ("", "0001-01-01T00:00:00Z"))
        self.assertLessEqual(tc["start_time"], tc["complete_time"])
        with open(self.applied, "rb") as f:
            self.assertEqual(f.read(), body)
        with open(self.hook_out) as f:
            self.assertEqual(f.read().strip(), CONFIG_FILE)
        inform = [i for i in acs.informs() if "7 TRANSFER COMPLETE" in event_codes(i)][0]
        self.assertEqual(sorted(event_codes(inform)), ["7 TRANSFER COMPLETE", "M Download/dl-cfg"])
        log = acs.files_log()
        self.assertEqual([(e["method"], e["name"], e["status"]) for e in log], [("GET", "gw.cfg", 200)])

    def test_wrong_file_size_is_fault_9018_and_not_applied(self):
        self.start()
        body = b"x" * 1000
        self.download(self.put_file("short.cfg", body), file_type=CONFIG_FILE,
                      file_size=len(body) + 10, command_key="dl-size")
        tc = self.transfer_complete()
        self.assertEqual((tc["command_key"], tc["fault"]["code"]), ("dl-size", 9018), tc)
        self.assertFalse(os.path.exists(self.applied))

    def test_missing_file_is_fault_9016(self):
        self.start()
        self.download(self.acs.files_url + "nothing-here.cfg", file_type=CONFIG_FILE,
                      command_key="dl-404")
        tc = self.transfer_complete()
        self.assertEqual((tc["command_key"], tc["fault"]["code"]), ("dl-404", 9016), tc)

    def test_failing_apply_hook_is_reported_in_transfer_complete(self):
        self.start(hook_apply_config="exit 3")
        self.download(self.put_file("bad.cfg", b"data"), file_type=CONFIG_FILE, command_key="dl-hook")
        tc = self.transfer_complete()
        self.assertEqual(tc["command_key"], "dl-hook")
        self.assertNotEqual(tc["fault"]["code"], 0, tc)
        self.assertIn("hook exit 3", tc["fault"]["string"])

    def test_unsupported_protocol_is_a_9013_fault_on_the_rpc(self):
        self.start()
        task = self.acs.run({"name": "Download", "url": "ftp://127.0.0.1/fw.bin",
                             "file_type": FIRMWARE, "command_key": "dl-ftp"})
        self.assertEqual(task["state"], "fault")
        self.assertEqual(task["response"]["fault"]["code"], 9013)
        self.assertEqual(self.acs.transfers(), [])

    def test_download_with_file_server_credentials(self):
        acs = self.start()
        acs.config(files_username="fileuser", files_password="File-Secret-3")
        url = self.put_file("auth.cfg", b"secret config")
        self.download(url, file_type=CONFIG_FILE, command_key="dl-noauth")
        tc = self.transfer_complete()
        self.assertEqual((tc["command_key"], tc["fault"]["code"]), ("dl-noauth", 9012), tc)
        self.download(url, file_type=CONFIG_FILE, command_key="dl-auth", username="fileuser",
                      password="File-Secret-3")
        tc = self.transfer_complete(1)
        self.assertEqual((tc["command_key"], tc["fault"]["code"]), ("dl-auth", 0), tc)
        with open(self.applied, "rb") as f:
            self.assertEqual(f.read(), b"secret config")

    @reexecs
    def test_firmware_download_applies_then_reboots_and_reports_after_boot(self):
        marker = self.path("rebooted")
        acs = self.start(hook_apply_firmware='cp "$PROXIER_FILE" %s' % self.applied,
                         hook_reboot="touch %s" % marker)
        pid = self.px.proc.pid
        image = bytes(range(256)) * 64
        self.download(self.put_file("fw.bin", image), file_type=FIRMWARE, file_size=len(image),
                      command_key="fw-1")
        tc = self.transfer_complete()
        self.assertEqual((tc["command_key"], tc["fault"]["code"]), ("fw-1", 0), tc)
        with open(self.applied, "rb") as f:
            self.assertEqual(f.read(), image)
        self.assertTrue(os.path.exists(marker), "the reboot hook did not run")
        self.assertEqual(self.px.proc.pid, pid)
        inform = [i for i in acs.informs() if "7 TRANSFER COMPLETE" in event_codes(i)][0]
        self.assertEqual(sorted(event_codes(inform)), ["1 BOOT", "7 TRANSFER COMPLETE", "M Download/fw-1"])

    def upload(self, name, file_type, key):
        self.acs.run_ok({"name": "Upload", "url": self.acs.files_url + name, "file_type": file_type,
                         "command_key": key})
        tc = self.transfer_complete()
        self.assertEqual((tc["command_key"], tc["fault"]["code"]), (key, 0), tc)
        path = os.path.join(self.acs.files, name)
        self.assertTrue(os.path.exists(path))
        with open(path, errors="replace") as f:
            return f.read()

    def test_upload_of_the_log_file(self):
        self.start()
        text = self.upload("gw.log", "2 Vendor Log File", "up-log")
        self.assertIn("session", text)
        inform = [i for i in self.acs.informs() if "7 TRANSFER COMPLETE" in event_codes(i)][0]
        self.assertEqual(sorted(event_codes(inform)), ["7 TRANSFER COMPLETE", "M Upload/up-log"])
        puts = [e for e in self.acs.files_log() if e["method"] == "PUT"]
        self.assertEqual([(e["name"], e["status"]) for e in puts], [("gw.log", 201)])

    def test_upload_of_the_configuration(self):
        self.start()
        text = self.upload("gw-config.txt", "1 Vendor Configuration File", "up-cfg")
        self.assertIn("Device.DeviceInfo.SerialNumber=IT0001", text.splitlines())
        self.assertIn("Device.ManagementServer.URL=" + self.acs.cwmp_url, text.splitlines())

    def test_upload_unsupported_file_type_is_9003(self):
        self.start()
        task = self.acs.run({"name": "Upload", "url": self.acs.files_url + "x",
                             "file_type": "4 Tone File", "command_key": "up-bad"})
        self.assertEqual(task["state"], "fault")
        self.assertEqual(task["response"]["fault"]["code"], 9003)


if __name__ == "__main__":
    unittest.main()
