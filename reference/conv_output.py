"""Reference solution for the conv_output exercise: one spatial dimension of a conv/pool output."""


def conv_output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1,
                     ceil_mode: bool = False) -> int:
    """Length of the output of a conv or pooling layer along one dimension, as torch computes it."""
    # A dilated kernel spans d*(k-1)+1 input positions.
    span = dilation * (kernel - 1) + 1
    room = n + 2 * padding - span  # how far the window can slide
    if not ceil_mode:
        return room // stride + 1
    out = -(-room // stride) + 1  # ceil division
    # torch drops a last window that would start in the right padding (or past the input).
    if (out - 1) * stride >= n + padding:
        out -= 1
    return out
