"""Secrets at rest (issue 12, item 5): the store holds the ACS and connection-request passwords,
so its directory is 0700 and its database, -wal and -shm are 0600 whatever the umask: after the
first start, after a restart and after a factory reset. A store writable by other users makes
proxierd refuse to start with a message naming the path; a world-readable config holding a
password gets a warning."""
import os
import stat
import unittest

from harness import IntegrationTest, reexecs, wait_for

MS = "Device.ManagementServer."


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class StoreModesTest(IntegrationTest):
    def setUp(self):
        super().setUp()
        self.old_umask = os.umask(0o000)  # the most permissive umask: proxierd must not rely on it
        self.addCleanup(os.umask, self.old_umask)

    def assert_private(self, px):
        store = os.path.dirname(px.db)
        self.assertEqual(oct(mode(store)), oct(0o700), store)
        files = [px.db + s for s in ("", "-wal", "-shm") if os.path.exists(px.db + s)]
        self.assertIn(px.db, files)
        self.assertIn(px.db + "-wal", files)
        for f in files:
            self.assertEqual(oct(mode(f)), oct(0o600), f)

    @reexecs
    def test_store_is_private_after_start_restart_and_factory_reset(self):
        acs, px, _ = self.bootstrap()
        acs.run_ok({"name": "SetParameterValues",
                    "values": [[MS + "ConnectionRequestPassword", "Secret-42"]]})
        self.assert_private(px)
        self.assertEqual(px.stop(), 0)
        px.start()
        acs.wait(informs=acs.device()["informs"])
        self.assert_private(px)
        informs = acs.device()["informs"]
        self.assertEqual(acs.run_ok({"name": "FactoryReset"}), {})
        acs.wait(informs=informs + 1)  # the bootstrap after the reset
        self.assert_private(px)

    def test_older_files_with_loose_modes_are_tightened(self):
        acs, px, _ = self.bootstrap()
        self.assertEqual(px.stop(), 0)
        os.chmod(os.path.dirname(px.db), 0o755)
        os.chmod(px.db, 0o644)
        px.start()
        acs.wait(informs=acs.device()["informs"])
        self.assertEqual(oct(mode(px.db)), oct(0o600))
        self.assertIn("was 0644, now 0600", px.log())

    def test_a_store_writable_by_others_is_refused(self):
        acs, px, _ = self.bootstrap()
        self.assertEqual(px.stop(), 0)
        store = os.path.dirname(px.db)
        os.chmod(store, 0o770)
        px.start()
        self.assertNotEqual(px.proc.wait_exit(), 0)
        self.assertIn("store directory %s is writable by other users (mode 0770)" % store,
                      px.log())
        os.chmod(store, 0o700)
        os.chmod(px.db, 0o666)
        px.start()
        self.assertNotEqual(px.proc.wait_exit(), 0)
        self.assertIn("store file %s is writable by other users (mode 0666)" % px.db, px.log())

    def test_a_world_readable_config_with_a_password_is_warned_about(self):
        acs = self.start_acs()
        px = self.make_proxierd(acs)
        os.chmod(px.config_path, 0o644)
        px.start()
        acs.wait(sessions_ended=0)
        wait_for(lambda: "holds a password and is readable by every user (mode 0644)" in px.log(),
                 timeout=10)
        self.assertEqual(px.stop(), 0)
        os.chmod(px.config_path, 0o600)
        mark = len(px.log())
        px.start()
        acs.wait(informs=acs.device()["informs"])
        self.assertNotIn("readable by every user", px.log()[mark:])


if __name__ == "__main__":
    unittest.main()
