"""Runs in the sandboxed child: the in-process guard, defence in depth behind the scan and the operator check.

It patches each forbidden callable, wherever torch re-exports it, with a stub that raises ForbiddenError when
its Python caller is student code (torch's own use of it keeps working), patches forbidden classes' __init__,
replaces forbidden submodules on their parent with a checking proxy, and blocks importing a forbidden module
from student code (builtins.__import__, importlib.import_module, a meta-path finder). Student code is any frame
whose file is not under the Python installation, the quizkit package or the probes. It lives in the student's
interpreter, so it is no isolation layer: the scan (rules.py) keeps student code from reaching it.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import os
import sys
import types
from collections.abc import Iterable, Sequence
from typing import Any

from quizkit.grading.forbidden.names import MISSING as _MISSING
from quizkit.grading.forbidden.names import static_lookup as _static_lookup
from quizkit.render.i18n import t


class ForbiddenError(ImportError):
    """Raised in the child when student code uses a forbidden API (an ImportError so imports fail naturally)."""


_TRANSPARENT_PREFIXES = ("<frozen importlib", )


class Guard:
    def __init__(self, forbidden: Sequence[str], trusted_files: Iterable[str] = ()) -> None:
        self.forbidden = list(forbidden)
        self.blocked_modules: list[str] = []
        self.violations: list[str] = []
        self.trusted_files = set(trusted_files)
        self._trusted_cache: dict[str, bool] = {}
        self._pending: dict[str, list[str]] = {}  # module not imported yet -> forbidden names inside it
        self._library: Any = None  # torch.library.Library holding the refusing kernels (kept alive)
        # Frames that call straight into student code (the child's request handler): a forbidden builtin
        # bound as a student function (`sigmoid = getattr(torch, name)`) is called from there.
        self.entry_codes: set[Any] = set()
        self.student_file = "submission.py"
        self._objects: dict[int, str] = {}  # id of every forbidden original and stub -> its name
        self._keep: list[Any] = []
        self._refused_ops: set[str] = set()
        here = os.path.dirname(os.path.abspath(__file__))
        self._transparent = {os.path.abspath(__file__), os.path.join(os.path.dirname(importlib.__file__),
                                                                     "__init__.py")}
        import sysconfig

        prefixes = {os.path.dirname(here)}  # the quizkit package
        for key in ("stdlib", "platstdlib", "purelib", "platlib"):
            p = sysconfig.get_paths().get(key)
            if p:
                prefixes.add(os.path.realpath(p))
                prefixes.add(p)
        for p in (sys.prefix, sys.base_prefix, sys.exec_prefix):
            prefixes.add(os.path.join(p, "lib"))
        self._prefixes = tuple(sorted(p.rstrip("/") + "/" for p in prefixes))

    # -- who is calling ------------------------------------------------------------------------------------
    def trusted(self, filename: str) -> bool:
        known = self._trusted_cache.get(filename)
        if known is None:
            known = filename in self.trusted_files or filename.startswith((*self._prefixes, "<frozen ", "<quizkit"))
            self._trusted_cache[filename] = known
        return known

    def check(self, label: str, depth: int = 2) -> None:
        """Raise ForbiddenError if the nearest real caller `depth` frames up is student code."""
        try:
            f: Any = sys._getframe(depth)
        except ValueError:
            return
        while f is not None and (f.f_code.co_filename.startswith(_TRANSPARENT_PREFIXES)
                                 or f.f_code.co_filename in self._transparent):
            f = f.f_back
        if f is None:
            return
        if f.f_code in self.entry_codes:
            self._refuse(label, self.student_file)
        if self.trusted(f.f_code.co_filename):
            return
        self._refuse(label, f"{os.path.basename(f.f_code.co_filename)}:{f.f_lineno}")

    def _refuse(self, label: str, where: str) -> None:
        message = t("child.guard", where=where, name=label)  # worded in the child, in the grade's language
        self.violations.append(message)
        raise ForbiddenError(message)

    def remember(self, label: str, *objects: Any) -> None:
        for obj in objects:
            self._objects[id(obj)] = label
            self._keep.append(obj)

    def check_namespace(self, module: Any, filename: str) -> None:
        """Refuse a student module whose names are bound to forbidden objects (however they were fetched)."""
        for name, value in list(vars(module).items()):
            candidates = [value]
            if isinstance(value, type) and getattr(value, "__module__", None) == module.__name__:
                for attr in vars(value).values():
                    candidates.append(getattr(attr, "__func__", attr))
            candidates.append(getattr(value, "func", None))  # functools.partial
            for obj in candidates:
                label = self._objects.get(id(obj)) if obj is not None else None
                if label is not None:
                    message = t("child.guard_bound", file=filename, name=name, label=label)
                    self.violations.append(message)
                    return

    def module_hit(self, name: str) -> str | None:
        for blocked in self.blocked_modules:
            if name == blocked or name.startswith(blocked + "."):
                return blocked
        return None

    # -- installing ---------------------------------------------------------------------------------------
    def install(self) -> None:
        if not self.forbidden:
            return
        for name in self.forbidden:
            self._install_one(name)
        self._install_import_hooks()

    def _install_one(self, name: str) -> None:
        parts = name.split(".")
        obj: Any = sys.modules.get(parts[0])
        parent: Any = None
        missing_at = 0 if obj is None else None
        if obj is not None:
            for i, part in enumerate(parts[1:], 1):
                mod = sys.modules.get(".".join(parts[: i + 1]))
                parent = obj
                obj = mod if mod is not None else _static_lookup(obj, part)
                if obj is _MISSING:
                    missing_at = i
                    break
        if missing_at is not None:
            # Not imported (yet): refuse it as a module, and patch it once its module is imported.
            self.blocked_modules.append(name)
            self._pending.setdefault(".".join(parts[: missing_at + 1]), []).append(name)
            return
        self._patch(name, parent, obj)

    def _patch(self, name: str, parent: Any, obj: Any) -> None:
        last = name.rpartition(".")[2]
        if isinstance(obj, types.ModuleType):
            self.blocked_modules.append(name)
            self.remember(name, obj)
            if parent is not None:
                try:
                    setattr(parent, last, _GuardedModule(obj, name, self))
                except (AttributeError, TypeError):
                    pass
            return
        if isinstance(obj, type):
            self.remember(name, obj)
            self._patch_class(name, obj)
            return
        if not callable(obj):
            return
        self._patch_dispatch(name, obj)
        stub = self._stub(name, obj)
        self.remember(name, obj, stub)
        replaced = {id(obj): stub}
        _try_setattr(parent, last, stub)
        inplace = _static_lookup(parent, last + "_") if parent is not None else _MISSING
        if inplace is not _MISSING and callable(inplace):
            replaced[id(inplace)] = self._stub(name + "_", inplace)
            self.remember(name + "_", inplace, replaced[id(inplace)])
            _try_setattr(parent, last + "_", replaced[id(inplace)])
        for ns in _alias_namespaces():
            try:
                items = list(vars(ns).items())
            except TypeError:
                continue
            for key, value in items:
                new = replaced.get(id(value))
                if new is not None and value is not new:
                    _try_setattr(ns, key, new)

    def _patch_dispatch(self, label: str, obj: Any) -> None:
        """Also guard the aten operator behind a torch builtin, on the CPU dispatch key.

        This catches every route to the kernel that the attribute stubs cannot see: TensorBase methods,
        torch._C._VariableFunctions, torch.ops.aten, composites such as torch.special.expit, and originals
        fished out of memory. The Python frames decide: with student code below the call it is refused,
        otherwise (torch internals, probes) the original CPU kernel runs.
        """
        torch = sys.modules.get("torch")
        op_name = getattr(obj, "__name__", "")
        if torch is None or type(obj).__name__ not in ("builtin_function_or_method", "method_descriptor"):
            return
        if not op_name or not hasattr(torch._C, "_dispatch_has_kernel_for_dispatch_key"):
            return
        import warnings

        guard = self
        get_kernel = getattr(torch.library, "get_kernel", None)
        if get_kernel is None:
            return

        def refusing(original: Any) -> Any:
            def kernel(keyset: Any, *args: Any, **kwargs: Any) -> Any:
                guard.check_strict(label)
                return original.call_boxed(keyset, *args, **kwargs)  # torch internals and probes go on

            return kernel

        if self._library is None:
            try:
                self._library = torch.library.Library("aten", "IMPL")
            except Exception:  # noqa: BLE001 - no dispatcher override on this torch
                return
        for base in (op_name, op_name + "_"):
            packet = getattr(torch.ops.aten, base, None) if hasattr(torch.ops.aten, base) else None
            if packet is None:
                continue
            for overload in packet.overloads():
                qualified = base if overload == "default" else f"{base}.{overload}"
                if qualified in self._refused_ops:
                    continue
                try:
                    original = get_kernel(f"aten::{qualified}", "CPU")
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        self._library.impl(qualified, refusing(original), "CPU", with_keyset=True)
                except Exception:  # noqa: BLE001, S112 - e.g. an overload without its own CPU kernel
                    continue
                self._refused_ops.add(qualified)

    def check_strict(self, label: str) -> None:
        """Refuse when the nearest non-library frame (skipping torch and the stdlib) is student code."""
        f: Any = sys._getframe(2)
        while f is not None:
            fn = f.f_code.co_filename
            if fn in self.trusted_files:
                return
            if f.f_code in self.entry_codes:
                self._refuse(label, self.student_file)
            if not (fn in self._transparent or self.trusted(fn)):
                break
            f = f.f_back
        if f is None:
            return
        self._refuse(label, f"{os.path.basename(f.f_code.co_filename)}:{f.f_lineno}")

    def _patch_class(self, name: str, cls: type) -> None:
        guard = self
        original_init = cls.__init__  # type: ignore[misc]

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            guard.check(name)
            original_init(self, *args, **kwargs)

        try:
            cls.__init__ = __init__  # type: ignore[misc]
        except (AttributeError, TypeError):
            pass

    def _stub(self, label: str, original: Any) -> Any:
        guard = self

        def forbidden_stub(*args: Any, **kwargs: Any) -> Any:
            guard.check(label)
            return original(*args, **kwargs)

        forbidden_stub.__name__ = getattr(original, "__name__", label.rpartition(".")[2])
        forbidden_stub.__qualname__ = forbidden_stub.__name__
        forbidden_stub.__doc__ = getattr(original, "__doc__", None)
        return forbidden_stub

    def _install_import_hooks(self) -> None:
        guard = self
        self.blocked_modules.append("quizkit")  # the grader itself is never student-importable
        original_import = builtins.__import__

        def __import__(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
            if level == 0:
                hit = guard.module_hit(name)
                if hit is None and fromlist:
                    for item in fromlist:
                        if isinstance(item, str) and item != "*":
                            hit = guard.module_hit(f"{name}.{item}")
                            if hit:
                                break
                if hit is not None:
                    guard.check(hit)
            module = original_import(name, globals, locals, fromlist, level)
            return module

        builtins.__import__ = __import__
        original_import_module = importlib.import_module

        def import_module(name: str, package: str | None = None) -> Any:
            if not name.startswith("."):
                hit = guard.module_hit(name)
                if hit is not None:
                    guard.check(hit)
            return original_import_module(name, package)

        importlib.import_module = import_module
        sys.meta_path.insert(0, _GuardFinder(self))

    def after_import(self, fullname: str) -> None:
        """A module we were waiting for was imported: patch the forbidden names inside it."""
        for name in self._pending.pop(fullname, []):
            self._install_one(name)


def _try_setattr(obj: Any, name: str, value: Any) -> None:
    if obj is None:
        return
    try:
        setattr(obj, name, value)
    except (AttributeError, TypeError):
        pass


def _alias_namespaces() -> list[Any]:
    """Where torch re-exports the same builtin under other names."""
    out: list[Any] = []
    torch = sys.modules.get("torch")
    if torch is None:
        return out
    for path in ("", "._C._VariableFunctions", ".special", "._C._special", ".nn.functional", "._C._nn",
                 ".Tensor", "._C.TensorBase", ".linalg", "._C._linalg", ".fft", "._C._fft"):
        obj: Any = torch
        for part in path.split(".")[1:]:
            obj = getattr(obj, part, None)
            if obj is None:
                break
        if obj is not None:
            out.append(obj)
    return out


class _GuardedModule(types.ModuleType):
    """Stands in for a forbidden submodule on its parent: attribute reads from student code raise."""

    def __init__(self, real: types.ModuleType, label: str, guard: Guard) -> None:
        super().__init__(real.__name__, real.__doc__)
        object.__setattr__(self, "_quizkit_real", real)
        object.__setattr__(self, "_quizkit_label", label)
        object.__setattr__(self, "_quizkit_guard", guard)

    def __getattr__(self, name: str) -> Any:
        d = object.__getattribute__(self, "__dict__")
        d["_quizkit_guard"].check(d["_quizkit_label"])
        return getattr(d["_quizkit_real"], name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(object.__getattribute__(self, "_quizkit_real"), name, value)

    def __dir__(self) -> list[str]:
        return dir(object.__getattribute__(self, "_quizkit_real"))


class _GuardFinder:
    """First on sys.meta_path: refuses forbidden modules to student code and patches late imports."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self._busy: set[str] = set()

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        hit = self.guard.module_hit(fullname)
        if hit is not None:
            self.guard.check(hit)
        if fullname in self.guard._pending and fullname not in self._busy:
            self._busy.add(fullname)
            try:
                spec = importlib.util.find_spec(fullname)
            except (ImportError, ValueError):
                spec = None
            finally:
                self._busy.discard(fullname)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                loader, guard = spec.loader, self.guard

                class _Patching:
                    def create_module(self, spec: Any) -> Any:
                        return loader.create_module(spec)

                    def exec_module(self, module: Any) -> None:
                        loader.exec_module(module)
                        guard.after_import(fullname)

                spec.loader = _Patching()  # type: ignore[assignment]
                return spec
        return None
