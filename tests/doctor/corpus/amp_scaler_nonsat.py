"""Mixed precision with GradScaler: scaler.scale(loss).backward(); scaler.step(opt)."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=pass T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=pass the G step backpropagates bce(D(G(z)), ones) before scaler.step(opt_gen)
# reason: T10=pass gradients are unscaled and clipped by norm before each step
import torch
import torch.nn as nn

G = nn.Sequential(nn.ConvTranspose2d(128, 64, 4, 1, 0), nn.InstanceNorm2d(64), nn.SiLU(), nn.Upsample(scale_factor=2), nn.Conv2d(64, 3, 3, 1, 1), nn.Tanh())
D = nn.Sequential(nn.Conv2d(3, 64, 3, 2, 1), nn.SiLU(), nn.Conv2d(64, 1, 4, 1, 0))
opt_gen = torch.optim.AdamW(G.parameters(), lr=1e-4, betas=(0.5, 0.999))
opt_dis = torch.optim.AdamW(D.parameters(), lr=1e-4, betas=(0.5, 0.999))
scaler = torch.cuda.amp.GradScaler()
criterion = nn.BCEWithLogitsLoss()
stream = torch.load("tiles8.pt")  # uint8 tiles

for batch in stream:
    real = batch.float() / 127.5 - 1.0
    with torch.autocast("cuda"):
        fake = G(torch.randn(real.size(0), 128, 1, 1))
        r, f = D(real), D(fake.detach())
        loss = criterion(r, torch.ones_like(r)) + criterion(f, torch.zeros_like(f))
    opt_dis.zero_grad()
    scaler.scale(loss).backward()
    scaler.unscale_(opt_dis)
    nn.utils.clip_grad_norm_(D.parameters(), 5.0)
    scaler.step(opt_dis)
    with torch.autocast("cuda"):
        out = D(fake)
        loss = criterion(out, torch.ones_like(out))
    opt_gen.zero_grad()
    scaler.scale(loss).backward()
    scaler.unscale_(opt_gen)
    nn.utils.clip_grad_norm_(G.parameters(), 5.0)
    scaler.step(opt_gen)
    scaler.update()
