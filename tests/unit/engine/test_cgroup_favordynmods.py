"""Adding favordynmods to the machine's cgroup2 mount keeps its other options (a remount replaces them)."""

from lamina.engine.cgroups import Remount, favordynmods_remount

DEBIAN_V1_HOST = """\
31 24 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec - tmpfs tmpfs ro,mode=755
41 31 0:38 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate
44 31 0:40 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:20 - cgroup cgroup rw,memory
"""


def test_remount_keeps_mount_flags_and_super_options():
    plan = favordynmods_remount(DEBIAN_V1_HOST)
    # MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME
    assert plan == Remount("/sys/fs/cgroup/unified", 0x20 | 0x2 | 0x4 | 0x8 | 0x200000, "nsdelegate,favordynmods")


def test_read_only_mount_stays_read_only():
    plan = favordynmods_remount("50 1 0:30 / /sys/fs/cgroup ro,relatime - cgroup2 cgroup2 ro\n")
    assert isinstance(plan, Remount)
    assert plan.flags & 0x1 and plan.data == "favordynmods"


def test_nothing_to_do_when_already_set_or_absent():
    assert favordynmods_remount(
        "41 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,favordynmods\n") == "already set on /sys/fs/cgroup"
    assert favordynmods_remount(DEBIAN_V1_HOST.replace("cgroup2", "cgroupv9")) == "no cgroup2 file system is mounted"


def test_mount_point_with_a_space():
    plan = favordynmods_remount("41 31 0:38 / /mnt/my\\040cgroups rw - cgroup2 none rw\n")
    assert isinstance(plan, Remount) and plan.target == "/mnt/my cgroups"
