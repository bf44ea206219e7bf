"""Probes for the `derivations` exercise: they run inside the sandboxed child, call one of the student's functions
with SymPy Symbols made from the given names, and send the answer back as text."""
import sympy

SIZE_LIKE = {"fan_in", "fan_out", "input_size", "hidden_size"}


def call(module, name, arg_names):
    # Sizes are positive integers; everything else is a real number.
    args = [sympy.Symbol(n, positive=True, integer=True) if n in SIZE_LIKE else sympy.Symbol(n, real=True)
            for n in arg_names]
    result = getattr(module, name)(*args)
    if isinstance(result, str):
        return result
    if isinstance(result, sympy.Basic):
        return str(result)
    if isinstance(result, (int, float)) and not isinstance(result, bool):
        return repr(result)
    raise TypeError(f"{name} returned a {type(result).__name__}; return a SymPy expression or a string "
                    f"in SymPy syntax")
