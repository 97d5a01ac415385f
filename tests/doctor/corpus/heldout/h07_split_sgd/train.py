"""Two-file project: models.py + train.py; 8x8 images scaled by /255 only, SGD for G, ReLU in D."""
# expect: T01=fail T02=pass T03=pass T04=na T05=fail T06=absent T07=absent T08=absent T09=fail
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T01=fail G ends with Tanh but pixels are divided by 255 only: data in [0, 1]
# reason: T05=fail the discriminator in models.py uses nn.ReLU
# reason: T09=fail G is optimised with SGD (momentum), not Adam
# reason: T02=pass the G loss is BCEWithLogits(D(G(z)), ones_like)
import numpy as np
import torch
import torch.nn as nn

from models import Discriminator, Generator

images = np.load("glyphs.npy").astype("float32")  # (N, 64) uint8 values
data = torch.from_numpy(images) / 255.0
G, D = Generator(), Discriminator()
criterion = nn.BCEWithLogitsLoss()
opt_G = torch.optim.SGD(G.parameters(), lr=0.01, momentum=0.9)
opt_D = torch.optim.Adam(D.parameters(), lr=2e-4)

for step in range(10000):
    idx = torch.randint(0, data.shape[0], (64,))
    real = data[idx]
    z = torch.randn(64, 32)
    fake = G(z)
    d_real, d_fake = D(real), D(fake.detach())
    d_loss = criterion(d_real, torch.ones_like(d_real)) + criterion(d_fake, torch.zeros_like(d_fake))
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    d_out_fake = D(fake)
    g_loss = criterion(d_out_fake, torch.ones_like(d_out_fake))
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
