"""G keeps dropout on at test time with F.dropout(training=True), even after eval()."""
# expect: T01=pass T02=pass T03=na T04=na T05=pass T06=pass T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=pass
import torch
import torch.nn as nn
import torch.nn.functional as F


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Conv2d(1, 32, 4, 2, 1)
        self.dec = nn.ConvTranspose2d(32, 1, 4, 2, 1)

    def forward(self, x):
        h = F.leaky_relu(self.enc(x), 0.2)
        h = F.dropout(h, p=0.5, training=True)
        return torch.tanh(self.dec(h))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 32, 4, 2, 1)
        self.norm = nn.InstanceNorm2d(32)
        self.head = nn.Conv2d(32, 1, 3, 1, 1)

    def forward(self, x):
        return self.head(F.leaky_relu(self.norm(self.conv(x)), 0.2))


G, D = Generator(), Discriminator()
opt_G = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
opt_D = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))

for src, tgt in torch.load("edges2shoes.pt"):
    src, tgt = (src - 0.5) / 0.5, (tgt - 0.5) / 0.5
    out = G(src)
    real_logits = D(torch.cat([src, tgt], 1))
    fake_logits = D(torch.cat([src, out.detach()], 1))
    d_loss = F.binary_cross_entropy_with_logits(real_logits, torch.full_like(real_logits, 0.9)) + \
        F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    opt_D.zero_grad(); d_loss.backward(); opt_D.step()
    g_adv = F.binary_cross_entropy_with_logits(D(torch.cat([src, out], 1)), torch.ones_like(real_logits))
    g_loss = g_adv + 100 * F.l1_loss(out, tgt)
    opt_G.zero_grad(); g_loss.backward(); opt_G.step()

G.eval()
