"""Secret key files: serve refuses a key file that other users may
read, and says how to fix it."""
import os


def test_world_readable_key_file_refused(make_server, tmpdir_path):
    key = tmpdir_path / "hs256.key"
    key.write_text("k" * 64 + "\n")
    os.chmod(key, 0o644)
    s = make_server(args=("--demo", "--secret-key-file", str(key)),
                    start=False)
    p = s.cli("serve", "--listen", "127.0.0.1:0", "--secret-key-file",
              str(key), check=False)
    out = (p.stdout + p.stderr).decode()
    assert p.returncode != 0
    assert "readable by other users" in out
    assert f"chmod 600 {key}" in out
    os.chmod(key, 0o600)
    s.start()
    assert s.login().status_code == 200
