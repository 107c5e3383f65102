/// A worker's reply that cannot be right (wrong count, a cost out of range): the worker is faulty.
struct WorkerFault: Error {
    let reason: String
}
