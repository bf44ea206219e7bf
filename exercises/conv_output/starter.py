"""conv_output: the output length of a convolution or pooling layer along one dimension."""


def conv_output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1,
                     ceil_mode: bool = False) -> int:
    """Return the output length torch gives for an input of length n.

    n         -- input length (height or width)
    kernel    -- kernel size k
    stride    -- step s between windows
    padding   -- zeros p added on EACH side
    dilation  -- spacing d between kernel taps (a dilated kernel spans d*(k-1)+1 inputs)
    ceil_mode -- pooling only: round the division up instead of down
    """
    # TODO: compute the span of the dilated kernel.
    # TODO: floor((n + 2p - span) / s) + 1 when ceil_mode is False.
    # TODO: the ceil version when ceil_mode is True, then apply torch's rule for the last window.
    raise NotImplementedError("conv_output_size is not written yet")
