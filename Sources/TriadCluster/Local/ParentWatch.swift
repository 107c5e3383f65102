public import Foundation

/// Makes a child process end with its parent, so `triad up` leaves no orphans even when it is killed:
/// a watcher thread exits the process once the parent is gone (re-parented to another pid).
public enum ParentWatch {
    public static func exitWhenParentDies() {
        let parent = getppid()
        if parent == 1 { exit(0) }
        let thread = Thread {
            while true {
                if getppid() != parent { exit(0) }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        thread.name = "parent watch"
        thread.start()
    }
}
