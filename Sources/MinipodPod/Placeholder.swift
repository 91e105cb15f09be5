// MinipodPod
