import JobSpec
import Testing

@testable import Tuning
