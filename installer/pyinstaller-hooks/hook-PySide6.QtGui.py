"""QtGui as PyInstaller's own hook collects it, minus plugins a service counter never uses.

Left out before the binary dependency analysis, so what only they need stays out too:
- the virtual keyboard input context: it pulls QtQuick, QtQml and QtVirtualKeyboard (~20 MB);
- the GTK 3 platform theme: it would load the desktop's GTK next to a bundled, older cairo and
  pango; Qt's own Fusion style and the XDG portal theme remain;
- the embedded-device platforms (eglfs, linuxfb, vnc, Vulkan KHR display) and their EGL device
  integrations: counters run a desktop (X11, Wayland or Windows).
"""

from pathlib import PurePath

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

_UNUSED_PLUGINS = (
    "qtvirtualkeyboardplugin",
    "qgtk3",
    "qeglfs",
    "qlinuxfb",
    "qvnc",
    "qvkkhrdisplay",
    "qminimalegl",
)


def _wanted(source: str) -> bool:
    path = PurePath(source)
    if "egldeviceintegrations" in path.parts:
        return False
    stem = path.name.split(".")[0].removeprefix("lib")
    return stem not in _UNUSED_PLUGINS


hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [entry for entry in binaries if _wanted(entry[0])]
