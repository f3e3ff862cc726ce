"""Authentication to the ACS (Digest, Basic) and secrets: passwords never reach proxierd's logs."""
import os
import re
import subprocess
import unittest

from harness import CR_PASSWORD, CR_USER, IntegrationTest, event_codes, program, wait_for

MS = "Device.ManagementServer."
ACS_USER = "acs-user"
ACS_PASSWORD = "Acs-Pass-5b1c9e"


class AcsAuthTest(IntegrationTest):
    def test_digest_authentication_to_the_acs(self):
        acs = self.start_acs(extra_args=["--username", ACS_USER, "--password", ACS_PASSWORD,
                                         "--auth", "digest"])
        acs, px, device = self.bootstrap(acs, acs_username=ACS_USER, acs_password=ACS_PASSWORD)
        self.assertEqual(event_codes(device["last_inform"]), ["0 BOOTSTRAP", "1 BOOT"])
        acs.run_ok({"name": "GetRPCMethods"})  # a second session, fresh Digest exchange

    def test_credentials_set_but_the_acs_never_challenges(self):
        # GenieACS's default: CWMP auth off. Configured credentials must not turn the messages
        # into empty "probe" POSTs (the ACS would take them as the CPE's empty POST).
        acs = self.start_acs(extra_args=["--auth", "none"])
        acs, px, device = self.bootstrap(acs, acs_username=ACS_USER, acs_password=ACS_PASSWORD)
        self.assertEqual(event_codes(device["last_inform"]), ["0 BOOTSTRAP", "1 BOOT"])
        r = acs.run_ok({"name": "GetParameterValues", "names": [MS + "PeriodicInformInterval"]})
        self.assertEqual(r["values"][0][1], "3600")
        self.assertNotIn("session failed", px.log())

    def test_no_basic_authentication_over_plain_http(self):
        # TR-069 3.4.4: without TLS the CPE must use Digest, so the password never goes out in
        # clear text. A Basic-only ACS on http:// is never authenticated to.
        acs = self.start_acs(extra_args=["--username", ACS_USER, "--password", ACS_PASSWORD,
                                         "--auth", "basic"])
        px = self.make_proxierd(acs, acs_username=ACS_USER, acs_password=ACS_PASSWORD).start()
        wait_for(lambda: re.search(r"session failed .*retry 2", px.log()), timeout=20,
                 what="two failed sessions")
        self.assertEqual(acs.devices(), [])

    def test_wrong_acs_password_fails_the_session_and_retries(self):
        acs = self.start_acs(extra_args=["--username", ACS_USER, "--password", ACS_PASSWORD])
        px = self.make_proxierd(acs, acs_username=ACS_USER, acs_password="not-the-password").start()
        wait_for(lambda: re.search(r"session failed .*retry 2", px.log()), timeout=20,
                 what="two failed sessions")
        self.assertEqual(acs.devices(), [])  # no Inform got through


class SecretsTest(IntegrationTest):
    def test_passwords_never_appear_in_the_log(self):
        acs = self.start_acs(extra_args=["--username", ACS_USER, "--password", ACS_PASSWORD])
        acs, px, _ = self.bootstrap(acs, acs_username=ACS_USER, acs_password=ACS_PASSWORD)
        new_cr_password = "New-Cr-Pass-8d2f"
        file_password = "File-Pass-4e7a"
        secrets = [ACS_PASSWORD, CR_PASSWORD, new_cr_password, file_password]
        # Everything that handles a password: Digest to the ACS, connection requests, SPV of the
        # passwords, a download with credentials, a log upload.
        acs.run_ok({"name": "GetParameterValues",
                    "names": [MS + "Password", MS + "ConnectionRequestPassword"]})
        acs.run_ok({"name": "SetParameterValues",
                    "values": [[MS + "ConnectionRequestPassword", new_cr_password],
                               [MS + "Password", ACS_PASSWORD]]})
        self.assertEqual(acs.connection_request(px.cr_url, CR_USER, "wrong"), 401)
        self.assertEqual(acs.connection_request(px.cr_url, CR_USER, new_cr_password), 200)
        acs.wait(sessions_ended=2)
        acs.config(files_username="fileuser", files_password=file_password)
        with open(os.path.join(acs.files, "c.cfg"), "w") as f:
            f.write("x")
        acs.run_ok({"name": "Download", "url": acs.files_url + "c.cfg",
                    "file_type": "3 Vendor Configuration File", "command_key": "dl",
                    "username": "fileuser", "password": file_password})
        acs.transfers(after=0)
        acs.config(files_username="", files_password="")
        acs.run_ok({"name": "Upload", "url": acs.files_url + "up.log",
                    "file_type": "2 Vendor Log File", "command_key": "up"})
        acs.transfers(after=1)
        self.assertEqual(px.stop(), 0)

        log = px.log()
        self.assertIn("session done", log)  # the log is the debug-level one and not empty
        with open(os.path.join(acs.files, "up.log"), errors="replace") as f:
            uploaded = f.read()
        check = subprocess.run([*program("proxierd"), "--config", px.config_path, "--check-config"],
                               capture_output=True, text=True, timeout=30)
        self.assertEqual(check.returncode, 0, check.stderr)
        for secret in secrets:
            self.assertNotIn(secret, log)
            self.assertNotIn(secret, uploaded)
            self.assertNotIn(secret, check.stdout + check.stderr)

    def test_version_names_the_release_the_revision_and_the_vendor_oui(self):
        out = subprocess.run([*program("proxierd"), "--version"], capture_output=True, text=True,
                             timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout.strip(), r"^proxierd \d+\.\d+\.\d+ \(git (?:[0-9a-f]{7,}"
                                             r"(?:-dirty)?|unknown), vendor OUI [0-9A-F]{6}\)$")


if __name__ == "__main__":
    unittest.main()
